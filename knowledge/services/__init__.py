"""Every write of the knowledge app. Each service is keyword-only, atomic and audited.

Permissions are checked by the views and API (they know the reader); services check
the rules of the content itself: allowed tags, state transitions, immutable versions."""

from knowledge.services.assets import (
    VersionResult,
    asset_create,
    asset_update,
    asset_version_create,
    asset_version_restore,
    content_sha256,
)
from knowledge.services.curation import (
    asset_decline,
    asset_publish,
    asset_request_changes,
    asset_submit,
    field_note_decline,
    field_note_promote,
    field_note_request_changes,
    field_note_submit,
)
from knowledge.services.files import (
    stored_file_create,
    stored_file_extract_text,
)
from knowledge.services.indexing import (
    asset_reindex,
)
from knowledge.services.notes import (
    field_note_create,
    field_note_update,
)
from knowledge.services.packages import (
    package_item_add,
    package_item_move,
    package_item_remove,
)
from knowledge.services.pdsa import (
    test_next_cycle_initial,
    test_of_change_create,
    test_of_change_save_stage,
    test_of_change_update,
    test_template_create,
)

__all__ = [
    "VersionResult",
    "asset_create",
    "asset_decline",
    "asset_publish",
    "asset_reindex",
    "asset_request_changes",
    "asset_submit",
    "asset_update",
    "asset_version_create",
    "asset_version_restore",
    "content_sha256",
    "field_note_create",
    "field_note_decline",
    "field_note_promote",
    "field_note_request_changes",
    "field_note_submit",
    "field_note_update",
    "package_item_add",
    "package_item_move",
    "package_item_remove",
    "stored_file_create",
    "stored_file_extract_text",
    "test_next_cycle_initial",
    "test_of_change_create",
    "test_of_change_save_stage",
    "test_of_change_update",
    "test_template_create",
]
