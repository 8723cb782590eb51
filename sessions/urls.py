"""Pages of the sessions app (mounted at /o/<org_slug>/), its API routes (mounted at
/api/v1/o/<org_slug>/) and the private calendar feed (``feed_urlpatterns``), which
lives outside any organization because calendar clients cannot log in; the project
mounts it at /calendar/ under the namespace "calendar"."""

from django.urls import path

from sessions import api, views

app_name = "sessions"

C = "communities/<slug:community_slug>/sessions/"
S = C + "<int:session_id>/"
A = "communities/<slug:community_slug>/action-items/"

urlpatterns = [
    path(C, views.session_list, name="session_list"),
    path(C + "new/", views.session_create, name="session_create"),
    path(C + "series/new/", views.series_create, name="series_create"),
    path(C + "series/<int:series_id>/", views.series_detail, name="series_detail"),
    path(S, views.session_detail, name="session_detail"),
    path(S + "edit/", views.session_edit, name="session_edit"),
    path(S + "move/", views.session_move, name="session_move"),
    path(S + "cancel/", views.session_cancel, name="session_cancel"),
    path(S + "session.ics", views.session_ics, name="session_ics"),
    path(S + "facilitator/", views.facilitator, name="facilitator"),
    path(S + "swaps/<int:swap_id>/", views.swap_respond, name="swap_respond"),
    path(S + "attendance/reply/", views.attendance_reply, name="attendance_reply"),
    path(S + "attendance/", views.attendance_record, name="attendance_record"),
    path(S + "attendance.csv", views.attendance_csv, name="attendance_csv"),
    path(S + "transcript/", views.transcript_upload, name="transcript_upload"),
    path(S + "cases/new/", views.case_create, name="case_create"),
    path(S + "cases/<int:case_id>/", views.case_edit, name="case_edit"),
    path(S + "polls/new/", views.poll_create, name="poll_create"),
    path(S + "polls/<int:poll_id>/vote/", views.poll_vote, name="poll_vote"),
    path(S + "polls/<int:poll_id>/state/", views.poll_toggle, name="poll_toggle"),
    path(S + "polls/<int:poll_id>/results.json", views.poll_results, name="poll_results"),
    path(S + "breakouts/", views.breakouts, name="breakouts"),
    path(S + "breakouts/<int:group_id>/notes/", views.breakout_notes, name="breakout_notes"),
    path(S + "decisions/", views.decision_create, name="decision_create"),
    path(S + "action-items/", views.action_item_create, name="action_item_create"),
    path(A, views.community_actions, name="community_actions"),
    path(A + "<int:item_id>/status/", views.action_item_status, name="action_item_status"),
    path("sessions/my-action-items/", views.my_actions, name="my_actions"),
    path("sessions/my-swap-requests/", views.my_swaps, name="my_swaps"),
    path("sessions/calendar/", views.calendar_settings, name="calendar_settings"),
]

AC = "communities/<slug:community_slug>/"
AS = AC + "sessions/<int:session_id>/"

api_urlpatterns = [
    path(AC + "series/", api.SeriesListView.as_view(), name="series_list"),
    path(AC + "series/<int:series_id>/", api.SeriesDetailView.as_view(), name="series_detail"),
    path(AC + "sessions/", api.SessionListView.as_view(), name="session_list"),
    path(AS, api.SessionDetailView.as_view(), name="session_detail"),
    path(AS + "cancel/", api.SessionCancelView.as_view(), name="session_cancel"),
    path(AS + "attendance/", api.AttendanceListView.as_view(), name="attendance"),
    path(AS + "attendance/marks/", api.AttendanceMarkView.as_view(), name="attendance_marks"),
    path(AS + "polls/", api.PollListView.as_view(), name="poll_list"),
    path(AS + "polls/<int:poll_id>/", api.PollDetailView.as_view(), name="poll_detail"),
    path(AS + "polls/<int:poll_id>/votes/", api.PollVoteView.as_view(), name="poll_vote"),
    path(AS + "cases/", api.CaseListView.as_view(), name="case_list"),
    path(AS + "decisions/", api.DecisionListView.as_view(), name="decision_list"),
    path(AC + "action-items/", api.ActionItemListView.as_view(), name="action_item_list"),
    path(
        AC + "action-items/<int:item_id>/",
        api.ActionItemDetailView.as_view(),
        name="action_item_detail",
    ),
    path("action-items/mine/", api.MyActionItemListView.as_view(), name="my_action_items"),
]

feed_urlpatterns = [
    path("<str:token>.ics", views.calendar_feed, name="feed"),
]
