"""Pages of the measurement app (mounted at /o/<org_slug>/) and its API routes
(mounted at /api/v1/o/<org_slug>/)."""

from django.urls import path

from measurement import api, views, views_events, views_import_mapping, views_imports
from measurement.dhis2 import urls as dhis2_urls

app_name = "measurement"

COP = "communities/<slug:community_slug>/data/"

urlpatterns = [
    path("data/", views.data_home, name="home"),
    path("data/sites/", views.site_list, name="site_list"),
    path("data/sites/<int:site_id>/edit/", views.site_edit, name="site_edit"),
    path("data/stratifiers/", views.stratifier_list, name="stratifiers"),
    path("data/imports/<int:batch_id>/", views_imports.import_detail, name="import_detail"),
    path("data/imports/<int:batch_id>/dates/", views_imports.import_recheck, name="import_recheck"),
    path("data/imports/<int:batch_id>/retry/", views_imports.import_retry, name="import_retry"),
    path(
        "data/imports/<int:batch_id>/mapping/",
        views_imports.import_mapping,
        name="import_mapping",
    ),
    path(
        "data/imports/<int:batch_id>/request/",
        views_import_mapping.import_code_request,
        name="import_code_request",
    ),
    path(COP, views.community_data, name="community"),
    path(f"{COP}measures/new/", views.measure_create, name="measure_create"),
    path(f"{COP}measures/<int:measure_id>/", views.measure_detail, name="measure_detail"),
    path(f"{COP}measures/<int:measure_id>/edit/", views.measure_edit, name="measure_edit"),
    path(
        f"{COP}measures/<int:measure_id>/events/",
        views_events.rare_events_page,
        name="rare_events",
    ),
    path(
        f"{COP}measures/<int:measure_id>/events/<int:event_id>/delete/",
        views_events.rare_event_delete,
        name="rare_event_delete",
    ),
    path(f"{COP}sites/", views.enrolments, name="enrolments"),
    path(f"{COP}settings/", views.data_policy, name="policy"),
    path(f"{COP}due/", views.due_overview, name="due"),
    path(f"{COP}sites/<int:site_id>/due/", views.site_due, name="site_due"),
    path(f"{COP}sites/<int:site_id>/entry/", views.data_entry, name="entry"),
    path(f"{COP}imports/", views_imports.imports, name="imports"),
    path(f"{COP}imports/template/", views_imports.import_template, name="import_template"),
    path(
        f"{COP}imports/requests/",
        views_import_mapping.import_code_requests,
        name="import_code_requests",
    ),
    path(f"{COP}review/", views.review, name="review"),
    path(f"{COP}observations/", views.observation_list, name="observations"),
    *dhis2_urls.urlpatterns,
]

api_urlpatterns = [
    path("observations/", api.ObservationListView.as_view(), name="observations"),
    path("measures/", api.MeasureListView.as_view(), name="measures"),
    path(
        "measures/<int:events_measure_id>/events/",
        api.RareEventListView.as_view(),
        name="rare_events",
    ),
    path("imports/<int:batch_id>/", api.ImportBatchDetailView.as_view(), name="import_batch"),
    *dhis2_urls.api_urlpatterns,
]
