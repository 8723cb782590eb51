"""Settings shared by every environment, read from environment variables.

Every variable is documented in the README's configuration table. With
``DATABASE_URL`` unset the embedded PostgreSQL starts (there is no SQLite
path); with ``REDIS_URL`` unset Celery runs tasks eagerly and the cache is
local memory.
"""

from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from copcore.embedded_db import database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="insecure-development-key-change-me")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
# Fernet keys for secrets stored at rest (copcore/crypto.py), newest first; see the README.
COP_ENCRYPTION_KEYS = env.list("COP_ENCRYPTION_KEYS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "simple_history",
    "axes",
    "csp",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "copcore",
    "communities",
    "knowledge",
    "measurement",
    "dashboards",
    "sessions.apps.SessionsConfig",
    "evaluation",
    "notifications",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "copcore.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "copcore.middleware.UserPreferencesMiddleware",
    "copcore.api_support.RejectNulInQueryMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "copcore.sso.enforcement.SecondFactorSetupMiddleware",
    "copcore.middleware.TenancyMiddleware",
]

# Content-Security-Policy (django-csp 4) on every response: scripts and styles only
# from our own static files, no inline script, no event-handler attributes, no inline
# style, no plugins, no framing. Pages reach this by keeping every script in
# static/js/ and every style in static/css/; user text cannot carry any of them anyway
# (copcore/rendering.py). The Swagger UI page widens style-src and img-src for itself
# only (copcore/urls.py). Browsers report violations to the console.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

ROOT_URLCONF = "copcore.urls"
WSGI_APPLICATION = "copcore.wsgi.application"
ASGI_APPLICATION = "copcore.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "copcore.context_processors.tenancy",
            ],
            # The user-text filters (markdown, plain_text, stored_html) everywhere.
            "builtins": ["copcore.templatetags.rendering"],
        },
    },
]

DATABASES = {"default": env.db_url_config(database_url())}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "copcore.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "copcore.backends.CommunityPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"

# Sign-in, sign-out, password change and reset, email verification and the second
# factor are django-allauth's (pages in templates/account, templates/mfa), with
# email as the only identifier. Nobody signs up on their own: accounts come from
# invitations (copcore.views.invitation_accept) or, just in time, from an
# organization's identity provider (copcore/sso). Throttling stays django-axes's
# (below), so allauth's own rate limit on failed logins is switched off.
ACCOUNT_ADAPTER = "copcore.sso.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "copcore.sso.adapters.SocialAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PRESERVE_USERNAME_CASING = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_FORMS = {"login": "copcore.sso.forms.LoginForm"}
# Sign-in attempts are django-axes's alone (failed ones; successful ones need no limit);
# allauth keeps its limits on password-reset emails, email changes and the like.
ACCOUNT_RATE_LIMITS = {"login_failed": False, "login": False}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[CoP Platform] "
# Scheme of the links allauth builds (provider redirect URIs, emails); production: https.
ACCOUNT_DEFAULT_HTTP_PROTOCOL = env("ACCOUNT_DEFAULT_HTTP_PROTOCOL", default="http")
# Second factor: authenticator apps (TOTP) with recovery codes. WebAuthn is left off:
# allauth's security-key pages run inline scripts, which the site's CSP forbids.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "CoP Platform"
MFA_ADAPTER = "copcore.sso.adapters.MFAAdapter"
# Addresses come from invitations (the emailed link proves them) or verified provider
# claims; accounts made before allauth have no verification row, so it is not required.
MFA_ALLOW_UNVERIFIED_EMAIL = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_ONLY = False
# Organizations' OpenID Connect providers come from the database (copcore/sso/adapters.py);
# this only swaps allauth's provider class for one that checks every ID token's
# signature and nonce (copcore/sso/oidc.py).
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        "provider_class": "copcore.sso.oidc.StrictOpenIDConnectProvider",
        "OAUTH_PKCE_ENABLED": True,
    }
}
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 3
INVITATION_MAX_AGE_DAYS = 14

# Repeated failed logins are throttled by django-axes: after AXES_FAILURE_LIMIT
# failures for one username from one address, further attempts wait AXES_COOLOFF_TIME.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "login"
# Sign-in ignores the case of an email address; so does the failure count.
AXES_USERNAME_CALLABLE = "copcore.backends.axes_username"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

GUARDIAN_RAISE_403 = False
# Load a person's object permissions once per request (on the user object) instead of
# two queries per community checked: pages that check many CoPs stay at a fixed count.
GUARDIAN_AUTO_PREFETCH = True
# Our CommunityPermissionBackend subclasses guardian's backend, which its check does not see.
SILENCED_SYSTEM_CHECKS = ["guardian.W001"]
ANONYMOUS_USER_NAME = None

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("es", _("Spanish")),
    ("fr", _("French")),
    ("pt", _("Portuguese")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="CoP Platform <noreply@localhost>")

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="cop"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Each process's memory in front of the shared cache, for entries whose key names
# their version (copcore.versioned_cache) and for rendered page fragments.
CACHES["local"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "cop-local",
    "OPTIONS": {"MAX_ENTRIES": env.int("COP_LOCAL_CACHE_ENTRIES", default=500)},
}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    "sync-role-terms-daily": {
        "task": "communities.tasks.sync_role_terms",
        "schedule": 60 * 60 * 24,
    },
    "generate-session-occurrences-daily": {
        "task": "sessions.tasks.generate_occurrences",
        "schedule": 60 * 60 * 24,
    },
    # Fails interrupted file imports and removes staging files nobody will use.
    "measurement-sweep-imports": {
        "task": "measurement.tasks.sweep_imports",
        "schedule": 60 * 5,
    },
    # Queues the DHIS2 pulls whose schedule (daily, weekly, monthly) is due.
    "measurement-dhis2-pulls": {
        "task": "measurement.dhis2.tasks.pull_due_mappings",
        "schedule": 60 * 15,
    },
}

# The DHIS2 connector (docs/dhis2.md): seconds to wait for an answer, retries of a
# refused connection or a 502/503/504 (reads only), and the backoff between them.
DHIS2_TIMEOUT_SECONDS = env.float("DHIS2_TIMEOUT_SECONDS", default=20.0)
DHIS2_RETRIES = env.int("DHIS2_RETRIES", default=3)
DHIS2_BACKOFF_SECONDS = env.float("DHIS2_BACKOFF_SECONDS", default=0.5)

# File imports that stop (process killed, worker lost): see docs/measurement.md.
# A running check or import stamps its heartbeat this often (seconds)...
MEASUREMENT_IMPORT_HEARTBEAT_SECONDS = env.int("MEASUREMENT_IMPORT_HEARTBEAT_SECONDS", default=15)
# ...and is taken as interrupted when no stamp is newer than this (at least 3 beats).
MEASUREMENT_IMPORT_STALE_SECONDS = env.int("MEASUREMENT_IMPORT_STALE_SECONDS", default=120)
# A check or import still waiting for a worker after this long is given up.
MEASUREMENT_IMPORT_QUEUE_TIMEOUT_SECONDS = env.int(
    "MEASUREMENT_IMPORT_QUEUE_TIMEOUT_SECONDS", default=60 * 60
)
# Checked rows (the staging file) wait this long for an import, or an "Import again".
MEASUREMENT_IMPORT_STAGING_KEEP_DAYS = env.int("MEASUREMENT_IMPORT_STAGING_KEEP_DAYS", default=7)

REST_FRAMEWORK = {
    # Token first so that a failed or missing authentication answers 401, not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "copcore.api_support.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "copcore.api_schema.AutoSchema",
    "EXCEPTION_HANDLER": "copcore.api_support.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CoP Platform API",
    "DESCRIPTION": "Communities of Practice for health improvement. Every tenant route "
    "lives under /api/v1/o/{org_slug}/; errors share one shape: "
    '{"error": {"code", "message", "fields"}}.',
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "DEFAULT_GENERATOR_CLASS": "copcore.api_schema.SchemaGenerator",
    "GET_MOCK_REQUEST": "copcore.api_schema.build_mock_request",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "copcore.api_schema.document_errors",
    ],
}

SIMPLE_HISTORY_HISTORY_ID_USE_UUID = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}, "pgserver": {"level": "WARNING"}},
}
