"""URL map. Tenant pages live under /o/<org_slug>/ and tenant API routes under
/api/v1/o/<org_slug>/; the tenancy middleware scopes both from that one kwarg."""

from types import ModuleType

from allauth.mfa.totp import views as totp_views
from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from communities import urls as communities_urls
from communities import views as community_views
from copcore import api, views
from copcore.privacy import urls as privacy_urls
from copcore.sso import oidc
from copcore.sso import urls as sso_urls
from dashboards import urls as dashboards_urls
from evaluation import urls as evaluation_urls
from knowledge import urls as knowledge_urls
from measurement import urls as measurement_urls
from notifications import urls as notifications_urls
from sessions import urls as sessions_urls

# Each app's urls.py holds ``urlpatterns`` (pages, mounted under /o/<org_slug>/) and
# ``api_urlpatterns`` (mounted under /api/v1/o/<org_slug>/), namespaced by app.
APP_URLS: dict[str, ModuleType] = {
    "communities": communities_urls,
    "knowledge": knowledge_urls,
    "measurement": measurement_urls,
    "dashboards": dashboards_urls,
    "sessions": sessions_urls,
    "evaluation": evaluation_urls,
    "notifications": notifications_urls,
}

# allauth's set-up page, allowed data: images (its QR code) and nothing else more.
totp_activate = csp_update({"img-src": [SELF, "data:"]})(totp_views.activate_totp)

account_patterns: list[URLPattern | URLResolver] = [
    path("profile/", views.profile, name="profile"),
    path("profile/token/", views.api_token, name="api_token"),
    # Organizations' OpenID Connect providers, with the strict ID-token checks.
    path("oidc/<str:provider_id>/login/", oidc.login, name="cop_oidc_login"),
    path("oidc/<str:provider_id>/login/callback/", oidc.callback, name="cop_oidc_callback"),
    # The authenticator-app set-up shows its QR code as a data: image (allauth's page).
    path("2fa/totp/activate/", totp_activate, name="cop_mfa_activate_totp"),
    # Sign-in, sign-out, password, email, second factor and identity providers.
    path("", include("allauth.urls")),
]

organization_patterns: list[URLPattern | URLResolver] = [
    path("", community_views.community_list, name="org_home"),
    path("members/", views.organization_members, name="org_members"),
    *privacy_urls.organization_urlpatterns,
    path("audit/", views.audit_log, name="org_audit"),
    path("sign-in/", include((sso_urls.urlpatterns, "sso"), namespace="sso")),
    *[path("", include((m.urlpatterns, name), namespace=name)) for name, m in APP_URLS.items()],
]

api_organization_patterns: list[URLPattern | URLResolver] = [
    path("members/", api.MemberListView.as_view(), name="api_members"),
    *[
        path("", include((m.api_urlpatterns, name), namespace=f"api_{name}"))
        for name, m in APP_URLS.items()
    ],
]

api_patterns: list[URLPattern | URLResolver] = [
    path("me/", api.MeView.as_view(), name="api_me"),
    path("organizations/", api.OrganizationListView.as_view(), name="api_organizations"),
    path("auth/token/", api.TokenView.as_view(), name="api_token_obtain"),
    path("o/<slug:org_slug>/", include(api_organization_patterns)),
]

# Swagger UI (offline, drf-spectacular-sidecar) under the site's CSP: the split view
# loads its start-up script as a file (no inline script). Swagger UI draws with an
# inline <style> block and data: images, so this one page may use inline styles and
# data: images; its scripts stay limited to our own origin.
api_docs = csp_update({"style-src": [SELF, UNSAFE_INLINE], "img-src": [SELF, "data:"]})(
    SpectacularSwaggerSplitView.as_view(url_name="api_schema")
)

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/privacy/", include(privacy_urls.account_urlpatterns)),
    path("accounts/", include(account_patterns)),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("o/<slug:org_slug>/", include(organization_patterns)),
    path("api/v1/", include(api_patterns)),
    # Outside any organization, guarded by public visibility or by secret tokens:
    path("p/", include((knowledge_urls.public_urlpatterns, "public_knowledge"))),
    path("calendar/", include((sessions_urls.feed_urlpatterns, "calendar"))),
    path("unsubscribe/", include((notifications_urls.public_urlpatterns, "unsubscribe"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", api_docs, name="api_docs"),
    path("admin/", admin.site.urls),
]

handler403 = "copcore.views.permission_denied"
handler404 = "copcore.views.page_not_found"
handler500 = "copcore.views.server_error"
