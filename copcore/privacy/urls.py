"""Routes of the privacy pages: a person's own, and an org admin's removal of a person."""

from django.urls import path

from copcore.privacy import views

account_urlpatterns = [
    path("", views.privacy, name="privacy"),
    path("download/", views.privacy_download, name="privacy_download"),
    path("erase/", views.privacy_erase, name="privacy_erase"),
]

organization_urlpatterns = [
    path("members/<int:user_id>/remove/", views.member_remove, name="org_member_remove"),
]
