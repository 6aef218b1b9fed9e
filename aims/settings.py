"""Django settings for AIMS, read from the environment with defaults that suit development.

Without any variables the app runs on SQLite in ``data/`` and a Celery broker that needs no server
(kombu's filesystem transport), so ``make run`` works on a fresh machine. ``DATABASE_URL`` and
``REDIS_URL`` switch to PostgreSQL and Redis. See ``.env.example`` for every variable.
"""

import secrets
from pathlib import Path
from urllib.parse import unquote, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from aims.env import env_bool, env_int, env_list, env_secret, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("AIMS_DATA_DIR", str(BASE_DIR / "data")))
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", default=False)
TESTING = env_bool("AIMS_TESTING", default=False)


def _secret_key() -> str:
    key = env_secret("SECRET_KEY")
    if key:
        return key
    if not DEBUG and not TESTING:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (or SECRET_KEY_FILE).")
    # Development: generate once and keep it in the ignored data folder so sessions survive restarts.
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "aims",
    "accounts",
    "trail",
    "registry",
    "risk",
    "controls",
    "governance",
    "audits",
    "reviews",
    "reports",
    "stewardship",
    "integrations",
    "onboarding",
    "trust",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "accounts.middleware.CurrentOrganisationMiddleware",
    # Language, time zone and date format of the signed-in person (or organisation, or browser).
    "accounts.locale.LocaleMiddleware",
    "accounts.middleware.AccessControlMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks: turns a locked-out sign-in into its page
]

ROOT_URLCONF = "aims.urls"
FORM_RENDERER = "aims.forms_renderer.BootstrapFormRenderer"
WSGI_APPLICATION = "aims.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.organisation",
                "accounts.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------------
DATABASE_URL = env_url("DATABASE_URL", schemes=("postgres", "postgresql", "sqlite"))
if DATABASE_URL:
    try:
        DATABASES = {"default": dj_database_url.parse(DATABASE_URL)}
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from None
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "aims.sqlite3",
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"},
        }
    }
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # Django's PostgreSQL backend whose health check of a reused connection needs no round trip (aims/db).
    DATABASES["default"]["ENGINE"] = "aims.db.postgresql"
    # Persistent connections with health checks: without them every request pays a new connection.
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 60, minimum=0)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Server-side prepared statements for the queries aims.prepared runs (the API's token and page queries):
    # psycopg prepares one after this many runs on a connection. "off" behind a pooler in transaction mode
    # that does not track prepared statements (PgBouncer before 1.21).
    _prepare = env_str("DB_PREPARE_THRESHOLD", "1").strip().lower()
    if _prepare not in ("off", "none"):
        DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = env_int(
            "DB_PREPARE_THRESHOLD", 1, minimum=0
        )
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# API list pages answered again from memory while the database has not changed since (aims.api.page_cache):
# megabytes of pages kept per process (a page of 50 risks is some 50 KB); 0 turns it off.
API_PAGE_CACHE_MB = env_int("API_PAGE_CACHE_MB", 16, minimum=0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------------------------
REDIS_URL = env_url("REDIS_URL", schemes=("redis", "rediss", "unix"))
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Auth -----------------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 12, minimum=60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Internationalisation -------------------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
# English and German (the EU AI Act's largest market). Catalogues: locale/<lang>/LC_MESSAGES/django.po,
# regenerated by `make messages`; the compiled .mo files are committed so `make run` needs no gettext.
LANGUAGES = [("en-gb", "English"), ("de", "Deutsch")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(DATA_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing folder on every start
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media")))
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", 20 * 1024 * 1024, minimum=1024)
# Media is never served by URL: evidence files go through an authorised view.
MEDIA_URL = "/media-not-served/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not (DEBUG or TESTING)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Email ----------------------------------------------------------------------------------------------
EMAIL_URL = env_url("EMAIL_URL", schemes=("smtp", "smtp+tls", "smtp+ssl", "console"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "AIMS <aims@localhost>")
if EMAIL_URL and not EMAIL_URL.startswith("console"):
    _email = urlsplit(EMAIL_URL)
    try:
        _email_port = _email.port or 25
    except ValueError:
        raise ImproperlyConfigured("EMAIL_URL has a port that is not a number") from None
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _email.hostname or "localhost",
                "port": _email_port,
                "username": unquote(_email.username or ""),
                "password": unquote(_email.password or ""),
                "use_tls": _email.scheme == "smtp+tls",
                "use_ssl": _email.scheme == "smtp+ssl",
                "timeout": 10,
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}

# --- Security headers (production) ----------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not TESTING)
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not TESTING)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not TESTING)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if TESTING else 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
    if env_bool("BEHIND_TLS_PROXY", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^health/$"]

# --- REST framework -------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["aims.api.permissions.RolePermission"],
    "DEFAULT_PAGINATION_CLASS": "aims.api.pagination.StandardPagination",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "aims.api.schema.AimsAutoSchema",
    "EXCEPTION_HANDLER": "aims.api.exceptions.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "AIMS API",
    "DESCRIPTION": "REST API of AIMS, an ISO/IEC 42001 AI Management System. Authenticate with "
    "`Authorization: Token <token>` (see POST /api/v1/auth/token/) or a browser session.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {"IssueKindEnum": "registry.constants.IssueKind"},
}

# --- Celery ---------------------------------------------------------------------------------------------
CELERY_QUEUE_DIR = DATA_DIR / "broker"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
else:
    # Embedded broker: kombu's filesystem transport, so the worker runs tasks asynchronously with no server.
    for sub in ("out", "processed"):
        (CELERY_QUEUE_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_QUEUE_DIR / "out"),
        "data_folder_out": str(CELERY_QUEUE_DIR / "out"),
        "data_folder_processed": str(CELERY_QUEUE_DIR / "processed"),
        "store_processed": False,
    }
    CELERY_RESULT_BACKEND = None
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 30 * 60, minimum=10)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 25 * 60, minimum=5)
if REDIS_URL:
    # Well above the longest task's hard limit, or Redis redelivers a long job to a second worker.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT * 2 + 600}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ACKS_LATE = False  # opted in per task, only for idempotent ones
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A web request that enqueues must fail fast when the broker is down, not hang.
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_TASK_PUBLISH_RETRY = False
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
# The one beat schedule; later jobs (reviews, KPI snapshots) add entries here.
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "aims.tasks.heartbeat", "schedule": 300.0},
}

# --- Logging --------------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

AIMS_VERSION = "0.1.0"

# --- Scheduled reviews, reminders and KPI snapshots (reviews app) ---------------------------------------
TEMPLATES[0]["OPTIONS"]["context_processors"].append("reviews.context_processors.notifications")
# Both daily jobs tick every quarter of an hour and run once per organisation and local day from 06:00 local
# time: the run is claimed in the database (reviews.ScheduledRun), so a second beat process changes nothing.
CELERY_BEAT_SCHEDULE["reviews-daily"] = {"task": "reviews.tasks.run_reviews", "schedule": 900.0}
CELERY_BEAT_SCHEDULE["kpi-snapshots-daily"] = {"task": "reviews.tasks.snapshot_kpis", "schedule": 900.0}
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]["ReviewOutcomeEnum"] = "reviews.constants.Outcome"
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]["ReviewTaskStateEnum"] = "reviews.constants.TaskState"
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]["NotificationKindEnum"] = "reviews.constants.NotificationKind"
# --- Evidence packs and dossiers (reports) -------------------------------------------------------------------
# Finished packs live here (never served by URL: downloads go through an authorised view that records them).
REPORTS_DIR = Path(env_str("REPORTS_DIR", str(DATA_DIR / "reports")))
# Requests per organisation per hour, and jobs waiting or running at once per organisation.
REPORTS_MAX_PER_HOUR = env_int("REPORTS_MAX_PER_HOUR", 20, minimum=1)
REPORTS_MAX_ACTIVE = env_int("REPORTS_MAX_ACTIVE", 3, minimum=1)
# A running build that has not shown a heartbeat for this long is taken to be dead and is handed to a new attempt.
REPORTS_STALE_SECONDS = env_int("REPORTS_STALE_SECONDS", 300, minimum=1)
# Processes that lay out the sections of a pack at once (reports.layout); each is forked, lays out one section and
# exits, so a worker's memory peak is its largest section, not the whole pack. 1 lays them out in the worker itself.
REPORTS_LAYOUT_PROCESSES = env_int("REPORTS_LAYOUT_PROCESSES", 2, minimum=1)
# Fault-injection for tests only: seconds a build sleeps after each section (lets a test kill it mid-build).
REPORTS_STAGE_DELAY = float(env_str("REPORTS_STAGE_DELAY", "0") or 0)
CELERY_BEAT_SCHEDULE["reports-requeue-stale"] = {"task": "reports.requeue_stale_jobs", "schedule": 60.0}
# --- API security (issue 10: optimistic concurrency, idempotency, resource limits, headers) ---------------
IDEMPOTENCY_KEY_TTL = env_int("IDEMPOTENCY_KEY_TTL", 24 * 60 * 60, minimum=60)
AIMS_EXPORT_RATE = env_str("AIMS_EXPORT_RATE", "60/hour")  # exports per organisation (API and web pages)
REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = [
    *REST_FRAMEWORK.get("DEFAULT_THROTTLE_CLASSES", []),
    "aims.api.safety.OrganisationExportThrottle",
]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1, "aims.middleware.RequestSizeLimitMiddleware"
)
# Outermost but for the security headers: every other middleware has seen the API's response when it lets go.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1, "aims.middleware.ReleaseApiViewMiddleware"
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
)
# Bodies without files (JSON, forms) are capped lower than uploads; larger ones are a clean 413 / 400.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024, minimum=1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
REQUEST_MAX_BYTES = env_int("REQUEST_MAX_BYTES", EVIDENCE_MAX_BYTES + 1024 * 1024, minimum=1024)

# Content Security Policy (Django's built-in CSP), in every environment so tests see what production sends.
# No inline scripts and no eval: htmx and Bootstrap are vendored files; behaviour lives in static/js/aims.js.
# Inline *style attributes* stay allowed (bar widths and colours of the server-rendered charts and matrices).
from django.utils.csp import CSP  # noqa: E402

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "style-src-attr": [CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"] = [
    "drf_spectacular.hooks.postprocess_schema_enums",
    "aims.api.schema.postprocess_blank_alternatives",
]
# --- Audit trail, backup and restore, organisation deletion ---------------------------------------------
AIMS_DELETION_GRACE_DAYS = env_int("AIMS_DELETION_GRACE_DAYS", 30, minimum=0)
CELERY_BEAT_SCHEDULE["stewardship-due-deletions"] = {
    "task": "stewardship.tasks.perform_due_deletions",
    "schedule": 24 * 60 * 60.0,
}
if REDIS_URL:
    # The cache shares Redis with the broker: when Redis is down, pages keep serving (cache misses).
    CACHES["default"]["BACKEND"] = "aims.cache.TolerantRedisCache"
    CACHES["default"].setdefault("OPTIONS", {}).update({"socket_connect_timeout": 2, "socket_timeout": 2})
# --- integrations: webhooks ------------------------------------------------------------------------------
# Webhook receivers on private, loopback or link-local addresses are refused (SSRF) unless the operator
# allows them here (an on-premises receiver on the internal network, or tests with a local receiver).
WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = env_bool("WEBHOOKS_ALLOW_PRIVATE_ADDRESSES", default=False)
WEBHOOKS_TIMEOUT_SECONDS = env_int("WEBHOOKS_TIMEOUT_SECONDS", 5, minimum=1)
WEBHOOKS_MAX_ATTEMPTS = env_int("WEBHOOKS_MAX_ATTEMPTS", 6, minimum=1)
WEBHOOKS_BACKOFF_SECONDS = env_int("WEBHOOKS_BACKOFF_SECONDS", 30, minimum=1)
CELERY_BEAT_SCHEDULE["webhook-sweep"] = {"task": "integrations.sweep_webhooks", "schedule": 600.0}
CELERY_BEAT_SCHEDULE["evidence-expiring"] = {"task": "integrations.announce_expiring_evidence", "schedule": 3600.0 * 6}
# Every register list offers "Import" when its spreadsheet layout imports back (integrations.spreadsheets).
TEMPLATES[0]["OPTIONS"]["context_processors"].append("integrations.context_processors.import_link")
# --- Onboarding and trust centre (issue 12) ---------------------------------------------------------------
# Public concern reports: at most this many per client IP and per organisation in the window (cache-based),
# a form filled faster than the minimum is treated as a bot, and a text longer than the limit is refused.
TRUST_CONCERN_RATE_PER_IP = env_int("TRUST_CONCERN_RATE_PER_IP", 5, minimum=1)
TRUST_CONCERN_RATE_PER_ORGANISATION = env_int("TRUST_CONCERN_RATE_PER_ORGANISATION", 50, minimum=1)
TRUST_CONCERN_RATE_WINDOW = env_int("TRUST_CONCERN_RATE_WINDOW", 3600, minimum=60)
TRUST_CONCERN_MIN_FILL_SECONDS = env_int("TRUST_CONCERN_MIN_FILL_SECONDS", 3, minimum=0)
TRUST_CONCERN_MAX_FORM_AGE = env_int("TRUST_CONCERN_MAX_FORM_AGE", 24 * 3600, minimum=60)
TRUST_CONCERN_MAX_LENGTH = env_int("TRUST_CONCERN_MAX_LENGTH", 5000, minimum=100)
# Public sign-up (/signup/): a new person creates an account and an organisation they own. Open by default only
# with DEBUG (`make run`); a production site opens it explicitly. Same protection as the concern form.
AIMS_SIGNUP_OPEN = env_bool("AIMS_SIGNUP_OPEN", default=DEBUG)
AIMS_SIGNUP_RATE_PER_IP = env_int("AIMS_SIGNUP_RATE_PER_IP", 5, minimum=1)
AIMS_SIGNUP_RATE_WINDOW = env_int("AIMS_SIGNUP_RATE_WINDOW", 3600, minimum=60)
AIMS_SIGNUP_MIN_FILL_SECONDS = env_int("AIMS_SIGNUP_MIN_FILL_SECONDS", 3, minimum=0)
# --- Sign-in security (accounts: issue 10 authentication, issue 12 external auditors) ----------------------
import datetime as _dt  # noqa: E402

AUTHENTICATION_BACKENDS = [
    "accounts.backends.LockoutBackend",  # django-axes, first: refuses a locked-out sign-in before the password is tried
    "django.contrib.auth.backends.ModelBackend",
    "accounts.oidc.OrganisationOIDCBackend",  # per-organisation OpenID Connect single sign-on
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Lockout: AXES_FAILURE_LIMIT failed sign-ins for one username from one address lock that pair out.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = _dt.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.security.lockout_response"  # JSON for the API, a page for browsers
AXES_VERBOSE = False
# Sessions: signed out after SESSION_IDLE_TIMEOUT seconds without a request (and after SESSION_COOKIE_AGE
# in any case); the session key changes at every sign-in (Django's login() cycles it).
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 30 * 60, minimum=60)
CSRF_COOKIE_SAMESITE = "Lax"
# TOTP two-factor (django-otp): the issuer shown in authenticator apps.
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "AIMS")
# OpenID Connect (mozilla-django-oidc): providers are configured per organisation in the database
# (accounts.OidcProvider); these are the settings common to all of them.
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:sso-callback"
OIDC_CREATE_USER = False  # SSO signs in existing members only
OIDC_USE_NONCE = True
OIDC_USE_PKCE = True
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT", 10, minimum=1)
OIDC_STORE_ID_TOKEN = False
OIDC_RP_SIGN_ALGO = "RS256"
