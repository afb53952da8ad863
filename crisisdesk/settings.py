"""Settings for crisisdesk, every value read from the environment.

The defaults run on a bare machine: SQLite and a Celery broker on the file system.
Production sets DEBUG=0, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL and CELERY_BROKER_URL;
with DEBUG=0 the security settings are strict unless the environment relaxes them.
"""

import os
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"


class StrictEnv(environ.Env):
    """django-environ, with booleans read strictly: a value that is not a yes or a no (`ture`)
    stops the start with ImproperlyConfigured instead of quietly meaning False."""

    TRUE_WORDS = ("1", "true", "yes", "y", "on", "ok")
    FALSE_WORDS = ("0", "false", "no", "n", "off")

    def bool(self, var, default=environ.Env.NOTSET):
        raw = self.ENVIRON.get(f"{self.prefix}{var}", "")
        if not raw.strip():  # unset or empty: the default
            return self.get_value(var, cast=bool, default=default)
        word = raw.strip().lower()
        if word in self.TRUE_WORDS:
            return True
        if word in self.FALSE_WORDS:
            return False
        raise ImproperlyConfigured(
            f"{var}={raw!r} is not a boolean: use one of {', '.join(self.TRUE_WORDS)} "
            f"or {', '.join(self.FALSE_WORDS)}."
        )


# Every value goes through this: a value it cannot parse raises ImproperlyConfigured at start.
env = StrictEnv()

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY and (DEBUG or "PYTEST_VERSION" in os.environ):
    # Development (DEBUG=1) and test runs (pytest sets PYTEST_VERSION) get a key of Django's
    # "insecure" kind, which `check --deploy` flags.
    SECRET_KEY = "django-insecure-crisisdesk-local-development-only"
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set: with DEBUG off (the default) crisisdesk needs a long random one. "
        "Set SECRET_KEY, or DEBUG=1 on a development machine."
    )
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

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
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "guardian",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_celery_beat",
    "csp",
    "accounts",
    "playbooks",
    "incidents",
    "monitoring",
    "crisisdesk",
]

MIDDLEWARE = [
    "incidents.live.poll_tag.NotModifiedMiddleware",  # before sessions: an unchanged poll is cheap
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "accounts.middleware.TwoFactorSetupMiddleware",
    "axes.middleware.AxesMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "crisisdesk.urls"
WSGI_APPLICATION = "crisisdesk.wsgi.application"

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
                "incidents.context_processors.notifications",
            ],
        },
    },
]

# --- Database ------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and immediate transactions let the web server, worker and beat share one file.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    # Reconnecting per request costs 5x the throughput (shared/STACK.md), and under ASGI every
    # request runs in a thread of its own, so persistent per-thread connections (CONN_MAX_AGE)
    # would pile up towards PostgreSQL's limit. Django's pool (psycopg-pool) keeps at most
    # DB_POOL_MAX connections per process instead; a request takes one when it first queries and
    # gives it back when it ends. The pool needs CONN_MAX_AGE=0. Health checks: the pool checks a
    # connection before handing it out (a PostgreSQL restart costs no failed request).
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DB_POOL_MIN", default=2),
        "max_size": env.int("DB_POOL_MAX", default=10),
        "timeout": env.float("DB_POOL_TIMEOUT", default=10.0),  # seconds a request waits for one
    }
# Requests (not event streams) one ASGI process serves at a time (crisisdesk/asgi.py): one
# database connection each, one left for the live hub and the streams' shared thread.
_pool_max = DATABASES["default"].get("OPTIONS", {}).get("pool", {}).get("max_size")
ASGI_REQUESTS_AT_ONCE = env.int("ASGI_REQUESTS_AT_ONCE", default=max(1, _pool_max - 1) if _pool_max else 8)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and authentication -----------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "accounts.backends.MemberObjectPermissionBackend",  # guardian, for active members only
]
SILENCED_SYSTEM_CHECKS = ["guardian.W001"]  # it looks for guardian's own backend by name
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 12)
# Sessions are read on every request (the room polls every few seconds): from the cache first.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# --- Cache -----------------------------------------------------------------------------------
# Throttle counts and cached sessions must be shared by every web process: production points
# CACHE_URL at Redis (redis://host:6379/1). A single process (make run, tests) uses local memory.
CACHES = {
    "default": env.cache("CACHE_URL", default="locmemcache://"),
    # Rendered timeline entries (incidents/timeline_html.py): they never change, so each process
    # keeps its own copy, read without a network round trip.
    "timeline": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "timeline",
        "TIMEOUT": 60 * 60,  # bounds how long a renamed author shows under their old name
        "OPTIONS": {"MAX_ENTRIES": 20_000},
    },
}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["BACKEND"] = "crisisdesk.cache.SharedRedisCache"  # one pool per process

# guardian: no anonymous user; object permissions only for signed-in people.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

# Sign-in lockout keyed on username and address together, so a stranger cannot lock out a
# colleague by guessing their username from another address.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
# BEHIND_PROXY=1 (make prod's nginx, crisisdesk/nginx.conf): the proxy replaces X-Forwarded-For
# with the client's address, and only the proxy can reach the app servers (they listen on
# 127.0.0.1). Without it the header is the client's own word and is not read.
BEHIND_PROXY = env.bool("BEHIND_PROXY", default=False)
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_ip"
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)

# Two-factor sign-in (accounts/two_factor.py): the name authenticator apps show beside the code.
OTP_TOTP_ISSUER = "crisisdesk"

# --- Languages and time --------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("nl", _("Dutch"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Amsterdam")
USE_I18N = True
USE_TZ = True

# --- Static files --------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_STORAGE",
            default="django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}

# --- Security (strict when DEBUG is off; each can be relaxed for a plain-HTTP local run) ---
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
SECURE_REFERRER_POLICY = "same-origin"
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers ask over plain HTTP
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Every script and style is a file of our own (htmx included): no inline code, no eval, no CDN.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Requests the server makes (feeds, webhooks, Mastodon, the chat) never go to a loopback, private
# or reserved address, except to the hosts listed here (crisisdesk.outbound).
OUTBOUND_ALLOWED_HOSTS = env.list("OUTBOUND_ALLOWED_HOSTS", default=[])

# --- REST API ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.TokenAuthentication",  # refuses a token that lacks a second factor
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "crisisdesk.parsers.JSONParser",  # a body nested too deep is a 400
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "crisisdesk.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "crisisdesk.api.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
        "crisisdesk.throttles.WriteRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="120/min"),
        "user": env.str("API_THROTTLE_USER", default="6000/min"),
    },
    "DATETIME_FORMAT": "iso-8601",
    # Throttles count by address: X-Forwarded-For's last entry behind nginx, never the client's own.
    "NUM_PROXIES": 1 if BEHIND_PROXY else 0,
}
API_WRITE_RATE = env.str("API_THROTTLE_WRITES", default="600/min")  # per person, POST/PUT/PATCH/DELETE

SPECTACULAR_SETTINGS = {
    "TITLE": "crisisdesk API",
    "DESCRIPTION": "Incidents, statements, playbooks and monitoring for a communications team in a crisis.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "crisisdesk.api_schema.add_standard_errors",
        "crisisdesk.api_schema.blank_strings_any_of",
    ],
    # Swagger UI served from our own static files (the app works offline), not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "IncidentStatusEnum": "incidents.models.Incident.Status",
        "SeverityEnum": "playbooks.models.Severity",
        "ChannelKindEnum": "incidents.models.Channel.Kind",
        "SourceKindEnum": "monitoring.models.Source.Kind",
        "AlertRuleKindEnum": "monitoring.models.AlertRule.Kind",
        "StatementTemplateKindEnum": "playbooks.models.StatementTemplate.Kind",
        "PostMortemStatusEnum": "incidents.models.PostMortem.Status",
        "ActionItemStatusEnum": "incidents.models.ActionItem.Status",
        "StatementStatusEnum": "incidents.models.Statement.Status",
        "AlertStatusEnum": "monitoring.models.Alert.Status",
        "PublicationStatusEnum": "incidents.models.Publication.Status",
    },
}

# --- Celery --------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(VAR_DIR / "celery" / "queue"),
        "data_folder_out": str(VAR_DIR / "celery" / "queue"),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "control_folder": str(VAR_DIR / "celery" / "control"),  # not ./control beside the code
        "store_processed": False,
    }
    if CELERY_BROKER_URL.startswith("filesystem://")
    else {}
)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A worker's claim on a publication protects it this long; an older claim is a worker that died
# mid-send, and the beat's resume task takes it over. Keep it above a send's longest timeout (20 s).
PUBLICATION_CLAIM_SECONDS = env.int("PUBLICATION_CLAIM_SECONDS", default=120)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "poll-sources": {"task": "monitoring.tasks.poll_sources", "schedule": 60.0},
    "evaluate-alerts": {"task": "monitoring.tasks.evaluate_alerts", "schedule": 60.0},
    "send-reminders": {"task": "incidents.tasks.send_reminders", "schedule": 60.0},
    "resume-publications": {"task": "incidents.tasks.resume_publications", "schedule": 60.0},
    "prune-security-log": {"task": "accounts.tasks.prune_security_log", "schedule": 24 * 60 * 60.0},
}

# --- Security log ----------------------------------------------------------------------------
# Each line is kept this many days, then pruned by beat (accounts.tasks.prune_security_log). The
# database refuses to delete a line younger than a day (accounts migration 0004), so 1 is the least.
try:
    SECURITY_LOG_RETENTION_DAYS = env.int("SECURITY_LOG_RETENTION_DAYS", default=365)
except ValueError:
    SECURITY_LOG_RETENTION_DAYS = 0
if SECURITY_LOG_RETENTION_DAYS < 1:
    raise ImproperlyConfigured(
        f"SECURITY_LOG_RETENTION_DAYS={os.environ.get('SECURITY_LOG_RETENTION_DAYS')!r} is not a whole "
        "number of days of at least 1 (the database keeps every line for a day)."
    )

# --- Live room (incidents.live) --------------------------------------------------------------
# A redis:// URL: web processes wake each other through Redis pub/sub. Unset (make run): each web
# process checks the database once a second for all the rooms it has open.
LIVE_EVENTS_URL = env.str("LIVE_EVENTS_URL", default="")
LIVE_CHECK_SECONDS = env.float("LIVE_CHECK_SECONDS", default=1.0 if not LIVE_EVENTS_URL else 5.0)
LIVE_HEARTBEAT_SECONDS = env.float("LIVE_HEARTBEAT_SECONDS", default=15.0)
LIVE_STREAM_SECONDS = env.float("LIVE_STREAM_SECONDS", default=600.0)  # then the browser reconnects
LIVE_RECHECK_SECONDS = env.float("LIVE_RECHECK_SECONDS", default=5.0)  # open streams' rights, batched

# --- E-mail --------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="crisisdesk <crisisdesk@localhost>")

# --- Logging -------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
