"""DHIS2 pages, mounted with the measurement app's pages (/o/<org_slug>/...)."""

from django.urls import path

from measurement.dhis2 import api, views

COP = "communities/<slug:community_slug>/data/dhis2/"

urlpatterns = [
    path("data/dhis2/", views.connection, name="dhis2_connection"),
    path(COP, views.mapping, name="dhis2_mapping"),
    path(
        f"{COP}remove/<str:kind>/<int:item_id>/",
        views.mapping_remove,
        name="dhis2_mapping_remove",
    ),
    path(f"{COP}preview/", views.preview, name="dhis2_preview"),
    path(f"{COP}pull/", views.pull, name="dhis2_pull"),
    path(f"{COP}download/<str:fmt>/", views.download, name="dhis2_download"),
    path(f"{COP}send/", views.push, name="dhis2_push"),
]

api_urlpatterns = [
    path("dhis2/connection/", api.ConnectionView.as_view(), name="dhis2_connection"),
    path("dhis2/connection/test/", api.ConnectionTestView.as_view(), name="dhis2_connection_test"),
    path("dhis2/mappings/", api.MappingListView.as_view(), name="dhis2_mappings"),
]
