"""Pages of the communities app (mounted at /o/<org_slug>/) and its API routes
(mounted at /api/v1/o/<org_slug>/). Each app picks its own sub-prefixes."""

from django.urls import path

from communities import api, views

app_name = "communities"

urlpatterns = [
    path("communities/new/", views.community_create, name="create"),
    path("communities/<slug:community_slug>/", views.community_detail, name="detail"),
    path(
        "communities/<slug:community_slug>/roles/<int:assignment_id>/end/",
        views.role_end,
        name="role_end",
    ),
]

api_urlpatterns = [
    path("communities/", api.CommunityListView.as_view(), name="list"),
    path("communities/<slug:community_slug>/", api.CommunityDetailView.as_view(), name="detail"),
    path(
        "communities/<slug:community_slug>/roles/",
        api.RoleAssignmentListView.as_view(),
        name="roles",
    ),
]
