"""Pages of the notifications app (mounted at /o/<org_slug>/), its API routes (mounted
at /api/v1/o/<org_slug>/) and ``public_urlpatterns``: the one-click unsubscribe, which
must work without logging in and outside any organization. The project mounts it as

    path("unsubscribe/", include((notifications_urls.public_urlpatterns, "unsubscribe")))
"""

from django.urls import path

from notifications import api, views

app_name = "notifications"

urlpatterns = [
    path("notifications/preferences/", views.preferences, name="preferences"),
    path("notifications/deliveries/", views.delivery_log, name="delivery_log"),
    path("notifications/digest/", views.digest_preview, name="digest_preview"),
    path(
        "notifications/deliveries/people/<int:user_id>/",
        views.member_delivery_log,
        name="member_log",
    ),
    path("notifications/bounces/new/", views.bounce_record, name="bounce_record"),
]

api_urlpatterns = [
    path("notifications/preferences/", api.PreferenceView.as_view(), name="preferences"),
    path("notifications/deliveries/", api.DeliveryListView.as_view(), name="deliveries"),
    path("notifications/bounces/", api.BounceCreateView.as_view(), name="bounces"),
]

public_urlpatterns = [
    path("<str:token>/", views.unsubscribe, name="unsubscribe"),
]
