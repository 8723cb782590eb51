"""Pages of the communities app (mounted at /o/<org_slug>/) and its API routes
(mounted at /api/v1/o/<org_slug>/). Each app picks its own sub-prefixes."""

from django.urls import include, path

from communities import api, api_reading, views

app_name = "communities"

community_pages = [
    path("", views.community_detail, name="detail"),
    path("roles/", views.roles, name="roles"),
    path("roles/assign/", views.role_assign, name="role_assign"),
    path("roles/<int:assignment_id>/end/", views.role_end, name="role_end"),
    path("roles/<int:assignment_id>/change/", views.role_change, name="role_change"),
    path("design/", views.design_checklist, name="design_checklist"),
    path("design/<slug:step>/", views.design_step, name="design_step"),
    path("phase/", views.phase, name="phase"),
    path("tags/", views.tags, name="tags"),
    path("join/", views.join, name="join"),
    path("join-requests/", views.join_requests, name="join_requests"),
    path(
        "join-requests/<int:join_request_id>/",
        views.join_request_decide,
        name="join_request_decide",
    ),
    path("invitations/", views.invitations, name="invitations"),
    path(
        "invitations/<int:invitation_id>/respond/",
        views.invitation_respond,
        name="invitation_respond",
    ),
    path("members/", views.member_directory, name="members"),
    path("members/<int:user_id>/", views.member_profile, name="member_profile"),
    path("charter/", views.charter, name="charter"),
    path("charter/edit/", views.charter_edit, name="charter_edit"),
    path("charter/compare/", views.charter_compare, name="charter_compare"),
    path("charter/v<int:version_number>/", views.charter_version, name="charter_version"),
    path(
        "charter/v<int:version_number>/acknowledge/",
        views.charter_acknowledge,
        name="charter_acknowledge",
    ),
    path("workstreams/", views.workstreams, name="workstreams"),
    path("workstreams/new/", views.workstream_create, name="workstream_create"),
    path("workstreams/<int:workstream_id>/", views.workstream_detail, name="workstream_detail"),
    path("threads/<int:thread_id>/", views.thread_detail, name="thread_detail"),
    path("threads/<int:thread_id>/moderate/", views.thread_moderate, name="thread_moderate"),
    path("threads/<int:thread_id>/close/", views.thread_close, name="thread_close"),
    path("threads/<int:thread_id>/tags/", views.thread_tags, name="thread_tags"),
    path("threads/<int:thread_id>/unread/", views.thread_unread, name="thread_unread"),
    path(
        "threads/<int:thread_id>/subscription/",
        views.thread_subscription,
        name="thread_subscription",
    ),
    path("threads/<int:thread_id>/answer/", views.thread_answer, name="thread_answer"),
    path(
        "workstreams/<int:workstream_id>/subscription/",
        views.workstream_subscription_set,
        name="workstream_subscription",
    ),
    path("posts/<int:post_id>/helpful/", views.post_helpful, name="post_helpful"),
    path("posts/<int:post_id>/edit/", views.post_edit, name="post_edit"),
    path("posts/<int:post_id>/history/", views.post_history, name="post_history"),
    path("posts/<int:post_id>/flag/", views.post_flag, name="post_flag"),
    path(
        "posts/<int:post_id>/attachments/<int:attachment_id>/",
        views.attachment_download,
        name="attachment_download",
    ),
    path("moderation/", views.moderation_queue, name="moderation"),
    path("moderation/<int:flag_id>/", views.flag_resolve, name="flag_resolve"),
    path("escalations/", views.escalations, name="escalations"),
    path("escalations/<int:escalation_id>/", views.escalation_detail, name="escalation_detail"),
]

urlpatterns = [
    path("communities/new/", views.community_create, name="create"),
    path("communities/<slug:community_slug>/", include(community_pages)),
]

api_community = [
    path("", api.CommunityDetailView.as_view(), name="detail"),
    path("phase/", api.PhaseTransitionListView.as_view(), name="phase"),
    path("roles/", api.RoleAssignmentListView.as_view(), name="roles"),
    path("roles/<int:assignment_id>/end/", api.RoleEndView.as_view(), name="role_end"),
    path("members/", api.MemberListView.as_view(), name="members"),
    path("join/", api.JoinView.as_view(), name="join"),
    path("join-requests/", api.JoinRequestListView.as_view(), name="join_requests"),
    path(
        "join-requests/<int:join_request_id>/decide/",
        api.JoinRequestDecideView.as_view(),
        name="join_request_decide",
    ),
    path("charter/versions/", api.CharterVersionListView.as_view(), name="charter_versions"),
    path(
        "charter/versions/<int:version_number>/",
        api.CharterVersionDetailView.as_view(),
        name="charter_version",
    ),
    path(
        "charter/versions/<int:version_number>/acknowledgements/",
        api.CharterAcknowledgementListView.as_view(),
        name="charter_acknowledgements",
    ),
    path("workstreams/", api.WorkstreamListView.as_view(), name="workstreams"),
    path(
        "workstreams/<int:workstream_id>/threads/",
        api.ThreadListView.as_view(),
        name="threads",
    ),
    path("threads/<int:thread_id>/", api.ThreadDetailView.as_view(), name="thread"),
    path("threads/<int:thread_id>/posts/", api.PostListView.as_view(), name="posts"),
    path(
        "threads/<int:thread_id>/read-state/",
        api_reading.ThreadReadStateView.as_view(),
        name="thread_read_state",
    ),
    path(
        "threads/<int:thread_id>/subscription/",
        api_reading.ThreadSubscriptionView.as_view(),
        name="thread_subscription",
    ),
    path(
        "threads/<int:thread_id>/answer/",
        api_reading.ThreadAnswerView.as_view(),
        name="thread_answer",
    ),
    path(
        "workstreams/<int:workstream_id>/subscription/",
        api_reading.WorkstreamSubscriptionView.as_view(),
        name="workstream_subscription",
    ),
    path(
        "posts/<int:post_id>/helpful/",
        api_reading.PostHelpfulView.as_view(),
        name="post_helpful",
    ),
]

api_urlpatterns = [
    path("communities/", api.CommunityListView.as_view(), name="list"),
    path("communities/<slug:community_slug>/", include(api_community)),
]
