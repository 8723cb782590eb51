"""Pages of the knowledge app (mounted at /o/<org_slug>/), its API routes (mounted at
/api/v1/o/<org_slug>/) and its public pages (``public_urlpatterns``, mounted by the
project at /p/ under the namespace "public_knowledge", outside any organization)."""

from django.urls import path

from knowledge import api, views
from knowledge.search import api as search_api
from knowledge.search import views as search_views

app_name = "knowledge"

ASSET = "knowledge/assets/<int:asset_id>/"
NOTE = "knowledge/notes/<int:note_id>/"
TEST = "knowledge/tests/<int:test_id>/"

urlpatterns = [
    path("search/", search_views.one_search, name="one_search"),
    path("knowledge/", views.asset_list, name="asset_list"),
    path("knowledge/search/", views.search, name="search"),
    path("knowledge/assets/new/", views.asset_create, name="asset_create"),
    path(ASSET, views.asset_detail, name="asset_detail"),
    path(ASSET + "edit/", views.asset_edit, name="asset_edit"),
    path(ASSET + "versions/new/", views.asset_version_new, name="version_new"),
    path(
        ASSET + "versions/<int:version_number>/",
        views.asset_version_detail,
        name="version_detail",
    ),
    path(
        ASSET + "versions/<int:version_number>/restore/",
        views.asset_version_restore,
        name="version_restore",
    ),
    path(ASSET + "compare/", views.asset_compare, name="asset_compare"),
    path(ASSET + "submit/", views.asset_submit, name="asset_submit"),
    path(ASSET + "curate/", views.asset_curate, name="asset_curate"),
    path(ASSET + "items/", views.package_item_add, name="package_item_add"),
    path(ASSET + "items/<int:item_id>/move/", views.package_item_move, name="package_item_move"),
    path(
        ASSET + "items/<int:item_id>/remove/",
        views.package_item_remove,
        name="package_item_remove",
    ),
    path("knowledge/files/<int:file_id>/", views.file_download, name="file_download"),
    path("knowledge/notes/", views.note_list, name="note_list"),
    path("knowledge/notes/new/", views.note_create, name="note_create"),
    path(NOTE, views.note_detail, name="note_detail"),
    path(NOTE + "edit/", views.note_edit, name="note_edit"),
    path(NOTE + "submit/", views.note_submit, name="note_submit"),
    path(NOTE + "curate/", views.note_curate, name="note_curate"),
    path("knowledge/curation/", views.curation_queue, name="curation_queue"),
    path("knowledge/tests/", views.test_list, name="test_list"),
    path("knowledge/tests/learning/", views.test_learning, name="test_learning"),
    path("knowledge/tests/new/", views.test_create, name="test_create"),
    path("knowledge/tests/templates/", views.template_list, name="template_list"),
    path(TEST, views.test_detail, name="test_detail"),
    path(TEST + "edit/", views.test_stage, {"stage": "plan"}, name="test_edit"),
    path(TEST + "do/", views.test_stage, {"stage": "do"}, name="test_do"),
    path(TEST + "study/", views.test_stage, {"stage": "study"}, name="test_study"),
    path(TEST + "act/", views.test_stage, {"stage": "act"}, name="test_act"),
    path(TEST + "next/", views.test_next_cycle, name="test_next_cycle"),
]

api_urlpatterns = [
    path("knowledge/assets/", api.AssetListView.as_view(), name="asset_list"),
    path("knowledge/assets/<int:asset_id>/", api.AssetDetailView.as_view(), name="asset_detail"),
    path(
        "knowledge/assets/<int:asset_id>/versions/",
        api.AssetVersionListView.as_view(),
        name="version_list",
    ),
    path(
        "knowledge/assets/<int:asset_id>/versions/<int:version_number>/",
        api.AssetVersionDetailView.as_view(),
        name="version_detail",
    ),
    path(
        "knowledge/assets/<int:asset_id>/actions/",
        api.AssetActionView.as_view(),
        name="asset_action",
    ),
    path("knowledge/search/", api.SearchView.as_view(), name="search"),
    path("search/", search_api.OneSearchView.as_view(), name="one_search"),
    path("knowledge/notes/", api.FieldNoteListView.as_view(), name="note_list"),
    path("knowledge/notes/<int:note_id>/", api.FieldNoteDetailView.as_view(), name="note_detail"),
    path(
        "knowledge/notes/<int:note_id>/actions/",
        api.FieldNoteActionView.as_view(),
        name="note_action",
    ),
    path("knowledge/curation/", api.CurationQueueView.as_view(), name="curation_queue"),
    path("knowledge/tests/", api.TestOfChangeListView.as_view(), name="test_list"),
    path(
        "knowledge/tests/<int:test_id>/", api.TestOfChangeDetailView.as_view(), name="test_detail"
    ),
]

public_urlpatterns = [
    path("assets/<uuid:public_id>/", views.public_asset, name="asset"),
    path("assets/<uuid:public_id>/file/", views.public_asset_file, name="asset_file"),
]
