"""Pages of the knowledge app: the asset repository and its versions, search, field
notes, the curation queue, PDSA tests of change, file downloads and the public page.

Thin: they read through selectors, write through services, and answer 404 for what
the person may not see and 403 for an action their role does not allow."""

from knowledge.views.assets import (
    asset_compare,
    asset_create,
    asset_curate,
    asset_detail,
    asset_edit,
    asset_submit,
    asset_version_detail,
    asset_version_new,
    asset_version_restore,
    file_download,
)
from knowledge.views.common import (
    PAGE_SIZE,
    viewer,
)
from knowledge.views.notes import (
    note_create,
    note_curate,
    note_detail,
    note_edit,
    note_list,
    note_submit,
)
from knowledge.views.packages import (
    package_item_add,
    package_item_move,
    package_item_remove,
)
from knowledge.views.pdsa import (
    template_list,
    test_create,
    test_detail,
    test_learning,
    test_list,
    test_next_cycle,
    test_stage,
)
from knowledge.views.public import (
    public_asset,
    public_asset_file,
)
from knowledge.views.repository import (
    asset_list,
    curation_queue,
    search,
)

__all__ = [
    "PAGE_SIZE",
    "asset_compare",
    "asset_create",
    "asset_curate",
    "asset_detail",
    "asset_edit",
    "asset_list",
    "asset_submit",
    "asset_version_detail",
    "asset_version_new",
    "asset_version_restore",
    "curation_queue",
    "file_download",
    "note_create",
    "note_curate",
    "note_detail",
    "note_edit",
    "note_list",
    "note_submit",
    "package_item_add",
    "package_item_move",
    "package_item_remove",
    "public_asset",
    "public_asset_file",
    "search",
    "template_list",
    "test_create",
    "test_detail",
    "test_stage",
    "test_learning",
    "test_list",
    "test_next_cycle",
    "viewer",
]
