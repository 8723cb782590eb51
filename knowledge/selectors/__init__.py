"""Reads of the knowledge app: who may see and do what, lists, search, the curation
queue, PDSA chains, and the annotations the measurement app draws on charts.

Visibility is decided once per request by ``viewer_for`` (three queries, whatever
the number of rows) and then applied as SQL filters, so lists and search never
check rows one by one."""

from knowledge.selectors.access import (
    Viewer,
    viewer_for,
)
from knowledge.selectors.assets import (
    asset_get,
    asset_public_get,
    asset_version_get,
    asset_versions,
    asset_visible_q,
    assets_linkable,
    assets_visible,
    can_edit_asset,
    is_asset_owner,
    package_item_get,
    package_items,
    stored_file_get,
)
from knowledge.selectors.choices import (
    active_sites,
    communities_where,
    measures_of_communities,
    organization_people,
)
from knowledge.selectors.notes import (
    WAITING_TOO_LONG,
    QueueItem,
    curation_queue,
    field_note_get,
    field_notes_visible,
)
from knowledge.selectors.pdsa import (
    test_chain,
    test_get,
    test_outcome,
    test_stages,
    test_template_get,
    test_templates,
    tests_learning_from_failure,
    tests_of_change_for_measure,
    tests_visible,
)
from knowledge.selectors.search import (
    SEARCH_CONFIGS,
    asset_search,
    search_config,
    snippet_html,
)

__all__ = [
    "QueueItem",
    "SEARCH_CONFIGS",
    "Viewer",
    "WAITING_TOO_LONG",
    "active_sites",
    "asset_get",
    "asset_public_get",
    "asset_search",
    "asset_version_get",
    "asset_versions",
    "asset_visible_q",
    "assets_linkable",
    "assets_visible",
    "can_edit_asset",
    "communities_where",
    "curation_queue",
    "field_note_get",
    "field_notes_visible",
    "is_asset_owner",
    "measures_of_communities",
    "organization_people",
    "package_item_get",
    "package_items",
    "search_config",
    "snippet_html",
    "stored_file_get",
    "test_chain",
    "test_get",
    "test_outcome",
    "test_stages",
    "test_template_get",
    "test_templates",
    "tests_learning_from_failure",
    "tests_of_change_for_measure",
    "tests_visible",
    "viewer_for",
]
