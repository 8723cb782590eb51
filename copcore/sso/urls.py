"""Org admin pages for sign-in, mounted at /o/<org_slug>/sign-in/ (namespace ``sso``)."""

from django.urls import path

from copcore.sso import views

app_name = "sso"

urlpatterns = [
    path("", views.settings_page, name="settings"),
    path("providers/new/", views.provider_edit, name="provider_create"),
    path("providers/<int:idp_id>/", views.provider_edit, name="provider_edit"),
    path("providers/<int:idp_id>/delete/", views.provider_delete, name="provider_delete"),
    path("members/<int:user_id>/revoke-token/", views.member_token_revoke, name="token_revoke"),
]
