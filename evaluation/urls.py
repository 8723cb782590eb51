"""Pages of the evaluation app (mounted at /o/<org_slug>/) and its API routes
(mounted at /api/v1/o/<org_slug>/)."""

from django.urls import include, path

from evaluation import api, api_progress, views

app_name = "evaluation"

community_pages = [
    path("", views.home, name="home"),
    path("cfir/", views.cfir_rounds, name="cfir_rounds"),
    path("cfir/new/", views.cfir_round_new, name="cfir_round_new"),
    path("cfir/<int:round_id>/", views.cfir_round, name="cfir_round"),
    path("cfir/<int:round_id>/sites/<int:site_id>/", views.cfir_rate, name="cfir_rate"),
    path("barriers/<int:barrier_id>/", views.barrier, name="barrier"),
    path("strategies/<int:choice_id>/", views.strategy, name="strategy"),
    path("strategies/<int:choice_id>/remove/", views.strategy_remove, name="strategy_remove"),
    path("follow-through/", views.follow_through, name="follow_through"),
    path("surveys/", views.surveys, name="surveys"),
    path("surveys/new/", views.survey_new, name="survey_new"),
    path("surveys/nomad/", views.nomad_round_create, name="nomad_round_create"),
    path("surveys/<int:survey_id>/", views.survey, name="survey"),
    path(
        "surveys/<int:survey_id>/questions/<int:question_id>/delete/",
        views.question_delete,
        name="question_delete",
    ),
    path("surveys/<int:survey_id>/status/", views.survey_status, name="survey_status"),
    path("surveys/<int:survey_id>/open/", views.survey_open, name="survey_open"),
    path("surveys/<int:survey_id>/dates/", views.survey_dates, name="survey_dates"),
    path("surveys/<int:survey_id>/respond/", views.survey_respond, name="survey_respond"),
    path("surveys/<int:survey_id>/results/", views.survey_results, name="survey_results"),
    path("surveys/<int:survey_id>/results.csv", views.survey_export, name="survey_export"),
    path("progress/", views.progress, name="progress"),
    path("progress/team-leads/", views.progress_team_leads, name="progress_team_leads"),
    path("progress/sites/<int:site_id>/", views.progress_site, name="progress_site"),
    path("progress/sites/<int:site_id>/rate/", views.progress_rate, name="progress_rate"),
    path("conclusion/", views.conclusion, name="conclusion"),
    path("conclusion/record/", views.record_request, name="record_request"),
    path(
        "conclusion/record/<int:record_id>/download/",
        views.record_download,
        name="record_download",
    ),
    path("conclusion/communications/", views.communications, name="communications"),
    path(
        "conclusion/communications/<slug:kind>/",
        views.communication_edit,
        name="communication_edit",
    ),
]

urlpatterns = [
    path("evaluation/reference/", views.reference, name="reference"),
    path("communities/<slug:community_slug>/evaluation/", include(community_pages)),
]

community_api = [
    path("cfir-rounds/", api.CfirRoundList.as_view(), name="cfir_rounds"),
    path("cfir-rounds/<int:round_id>/", api.CfirRoundDetail.as_view(), name="cfir_round"),
    path(
        "cfir-rounds/<int:round_id>/ratings/",
        api.CfirRatingsSave.as_view(),
        name="cfir_ratings",
    ),
    path(
        "barriers/<int:barrier_id>/strategies/",
        api.BarrierStrategies.as_view(),
        name="barrier_strategies",
    ),
    path("strategies/<int:choice_id>/", api.StrategyChoiceDetail.as_view(), name="strategy"),
    path("follow-through/", api.FollowThrough.as_view(), name="follow_through"),
    path("surveys/", api.SurveyList.as_view(), name="surveys"),
    path("surveys/<int:survey_id>/", api.SurveyDetail.as_view(), name="survey"),
    path(
        "surveys/<int:survey_id>/responses/",
        api.SurveyRespond.as_view(),
        name="survey_respond",
    ),
    path(
        "surveys/<int:survey_id>/results/", api.SurveyResultsView.as_view(), name="survey_results"
    ),
    path("results-records/", api.ResultsRecordList.as_view(), name="results_records"),
    path("progress-ratings/", api_progress.ProgressRatingList.as_view(), name="progress_ratings"),
    path("archive-blockers/", api.ArchiveBlockers.as_view(), name="archive_blockers"),
]

api_urlpatterns = [
    path("evaluation/cfir-constructs/", api.CfirConstructList.as_view(), name="cfir_constructs"),
    path("evaluation/eric-strategies/", api.EricStrategyList.as_view(), name="eric_strategies"),
    path("communities/<slug:community_slug>/evaluation/", include(community_api)),
]
