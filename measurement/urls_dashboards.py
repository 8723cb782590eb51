"""Dashboard routes, included by measurement/urls.py (pages under /o/<org_slug>/,
API under /api/v1/o/<org_slug>/, namespace "measurement" and "api_measurement")."""

from django.urls import path

from measurement import api_dashboards as api
from measurement import views_dashboards as views

COP = "communities/<slug:community_slug>/dashboard/"
MEASURE = f"{COP}measures/<int:measure_id>/"

urlpatterns = [
    path("dashboards/", views.dashboards_index, name="dashboard_index"),
    path("dashboards/disclosure/", views.disclosure_settings, name="dashboard_disclosure"),
    path(COP, views.dashboard_home, name="dashboard_home"),
    path(MEASURE, views.measure_page, name="dashboard_measure"),
    path(f"{MEASURE}settings/", views.measure_settings, name="dashboard_measure_settings"),
    path(f"{MEASURE}notes/", views.note_add, name="dashboard_note_add"),
    path(f"{MEASURE}notes/<int:note_id>/delete/", views.note_delete, name="dashboard_note_delete"),
    path(f"{MEASURE}sites/", views.measure_sites, name="dashboard_sites"),
    path(f"{MEASURE}equity/", views.measure_equity, name="dashboard_equity"),
    path(
        f"{MEASURE}download/<slug:chart_kind>/<slug:file_format>/",
        views.measure_download,
        name="dashboard_download",
    ),
    path(f"{COP}reaim/", views.reaim_page, name="dashboard_reaim"),
    path(f"{COP}reaim/inputs/", views.reaim_inputs, name="dashboard_reaim_inputs"),
    path(f"{COP}vitality/", views.vitality_page, name="dashboard_vitality"),
    path(f"{COP}sponsor/", views.sponsor_community, name="dashboard_sponsor"),
]

api_urlpatterns = [
    path(COP, api.DashboardView.as_view(), name="dashboard"),
    path(MEASURE, api.MeasureChartView.as_view(), name="dashboard_measure"),
    path(f"{MEASURE}sites/", api.MeasureSitesView.as_view(), name="dashboard_sites"),
    path(f"{MEASURE}equity/", api.MeasureEquityView.as_view(), name="dashboard_equity"),
    path(f"{MEASURE}notes/", api.ChartNoteListView.as_view(), name="dashboard_notes"),
    path(f"{COP}reaim/", api.ReAimView.as_view(), name="dashboard_reaim"),
    path(f"{COP}vitality/", api.VitalityView.as_view(), name="dashboard_vitality"),
    path(
        "dashboards/disclosure-rule/",
        api.DisclosureRuleView.as_view(),
        name="dashboard_disclosure_rule",
    ),  # fmt: skip
]
