"""Dashboard routes (pages under /o/<org_slug>/, namespace "dashboards"; API under
/api/v1/o/<org_slug>/, namespace "api_dashboards"). The paths are those the
dashboards had when they lived in the measurement app."""

from django.urls import path

from dashboards import api, api_portfolio
from dashboards.views import measures, organization, portfolio, reports

app_name = "dashboards"

COP = "communities/<slug:community_slug>/dashboard/"
MEASURE = f"{COP}measures/<int:measure_id>/"

urlpatterns = [
    path("dashboards/", organization.dashboards_index, name="dashboard_index"),
    path("dashboards/disclosure/", organization.disclosure_settings, name="dashboard_disclosure"),
    path("portfolio/", portfolio.portfolio, name="portfolio"),
    path(COP, measures.dashboard_home, name="dashboard_home"),
    path(MEASURE, measures.measure_page, name="dashboard_measure"),
    path(f"{MEASURE}settings/", measures.measure_settings, name="dashboard_measure_settings"),
    path(f"{MEASURE}notes/", measures.note_add, name="dashboard_note_add"),
    path(
        f"{MEASURE}notes/<int:note_id>/delete/", measures.note_delete, name="dashboard_note_delete"
    ),
    path(f"{MEASURE}sites/", measures.measure_sites, name="dashboard_sites"),
    path(f"{MEASURE}equity/", measures.measure_equity, name="dashboard_equity"),
    path(
        f"{MEASURE}download/<slug:chart_kind>/<slug:file_format>/",
        measures.measure_download,
        name="dashboard_download",
    ),
    path(f"{COP}reaim/", reports.reaim_page, name="dashboard_reaim"),
    path(f"{COP}reaim/inputs/", reports.reaim_inputs, name="dashboard_reaim_inputs"),
    path(f"{COP}vitality/", reports.vitality_page, name="dashboard_vitality"),
    path(f"{COP}sponsor/", reports.sponsor_community, name="dashboard_sponsor"),
]

api_urlpatterns = [
    path("portfolio/", api_portfolio.PortfolioView.as_view(), name="portfolio"),
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
