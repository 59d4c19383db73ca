"""Settings shared by every environment, read strictly from the environment.

Nothing set means the embedded default: SQLite and a file-system Celery broker, so a laptop
runs the whole portal with no servers. DATABASE_URL and REDIS_URL switch to PostgreSQL and
Redis. Every variable is listed in `.env.example`.
"""

from datetime import date
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()
# A local .env is for developers; production passes real environment variables.
if (BASE_DIR / ".env").is_file():
    env.read_env(str(BASE_DIR / ".env"))


TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    """A boolean from the environment; anything but a clear yes/no is a configuration error."""
    raw = env.str(name, default=str(default)).strip().lower()
    if raw in TRUE_WORDS:
        return True
    if raw in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name} must be one of {sorted(TRUE_WORDS | FALSE_WORDS)}, got {raw!r}")


def env_secret(name: str, default=environ.Env.NOTSET):
    """A secret from NAME, or from the file named by NAME_FILE (docker secrets)."""
    file_name = env.str(f"{name}_FILE", default="")
    if file_name:
        return Path(file_name).read_text().strip()
    return env.str(name, default=default)


DEBUG = env_bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_filters",
    "axes",  # sign-in throttling (see "Sign-in throttling and sessions")
    # Optional second factor (TOTP and backup codes; see "Two-step sign-in").
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "apps.common",
    "apps.core",
    "apps.accounts",
    "apps.org",
    "apps.audit",
    "apps.notifications",
    "apps.actions",
    "apps.exports",
    "apps.observations",
    "apps.audits",
    "apps.incidents",
    "apps.contractors",
    "apps.trainings",
    "apps.internships",
    "apps.kpis",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "apps.common.middleware.RequestBodyLimitMiddleware",
    "apps.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "apps.accounts.middleware.SessionTimeoutMiddleware",  # idle and absolute session timeouts
    "apps.accounts.middleware.SecondFactorMiddleware",  # password passed, code not yet: code page only
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "hse_portal.urls"
WSGI_APPLICATION = "hse_portal.wsgi.application"

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
                "apps.core.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'hse_portal.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Keep database connections open between requests (a new connection per request cost 60% of the
# health check's throughput); health checks guard against stale ones.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # Long passphrases welcome: a minimum length and no maximum (Django sets none).
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env.int("PASSWORD_MIN_LENGTH", default=10)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Sign-in throttling and sessions ---------------------------------------------------------------
# django-axes counts failed sign-ins (pages, admin and the API token) per username *and* IP: a
# plant's shared IP is not locked for everyone, nor a username from every machine. After
# AXES_FAILURE_LIMIT failures the pair is refused (429) until the cool-off has passed; a success
# resets the count. The database handler: the counts are shared by every web process and survive a
# restart or a Redis outage (a cache handler would fail or, on the local-memory fallback, count per
# process), and the system admin sees and clears lockouts in Django admin.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
# (A float is hours to axes: 15 minutes by default.)
AXES_COOLOFF_TIME = env.int("AXES_COOLOFF_MINUTES", default=15) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "apps.accounts.lockout.lockout_response"
AXES_USERNAME_CALLABLE = "apps.accounts.lockout.username_for_throttling"
# Sign-ins are recorded in the audit log; axes keeps only the failure counts.
AXES_DISABLE_ACCESS_LOG = True
# Behind a reverse proxy, REMOTE_ADDR is the proxy: set the real client's IP there (or configure
# AXES_CLIENT_IP_CALLABLE), or every user shares the proxy's address.
# Idle: signed out after this long without a request (the last-seen time is saved at most once a
# minute). Absolute: signed out this long after signing in, however active.
SESSION_IDLE_SECONDS = env.int("SESSION_IDLE_SECONDS", default=8 * 60 * 60)
SESSION_ABSOLUTE_SECONDS = env.int("SESSION_ABSOLUTE_SECONDS", default=24 * 60 * 60)
SESSION_SEEN_REFRESH_SECONDS = 60
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_SECONDS

# --- Two-step sign-in (issue 14) --------------------------------------------------------------------
# The HSE head, the pass office and system admins may add a TOTP app (django-otp) and backup codes.
# Wrong codes are throttled twice over: each device refuses any code for 2^(n-1) seconds after its
# n-th wrong one in a row (django-otp's own backoff, kept across sign-outs and addresses), and every
# wrong code counts as a failed sign-in for django-axes (AXES_FAILURE_LIMIT per username and IP).
OTP_TOTP_ISSUER = "HSE Portal"
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
# Django admin never shows a device's secret key.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en")
LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Yekaterinburg")
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
# One date and number style per language, everywhere (hse_portal/formats/<lang>/formats.py).
FORMAT_MODULE_PATH = ["hse_portal.formats"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise expects it even before collectstatic
NODE_MODULES = BASE_DIR / "node_modules"
# Front-end packages come from the npm registry at set-up and are served by the app: plants run
# on closed intranets, so nothing may load from a CDN.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / "media"))

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
# Every select's empty choice reads "Choose…" or "None", never Django's "---------" (apps.common.widgets).
FORM_RENDERER = "apps.common.widgets.PortalFormRenderer"
FILTERS_EMPTY_CHOICE_LABEL = _("Any")
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="HSE Portal <hse-portal@localhost>")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)

# --- Celery -----------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}
else:
    # Embedded default: a broker in plain files under var/, no server needed.
    _broker_dir = VAR_DIR / "celery-broker"
    _broker_dir.mkdir(exist_ok=True)
    (VAR_DIR / "celery-control").mkdir(exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "control_folder": str(VAR_DIR / "celery-control"),
        "store_processed": False,
    }
# --- Broker down: publishing fails fast (issue 14, faults) ---
# A request that queues a task (outbox delivery, export, KPI refresh) tries the broker once instead
# of kombu's reconnect loop (~6 s per request with Redis stopped); the row waits for the sweep. The
# worker's own reconnect loop (CELERY_BROKER_CONNECTION_*) passes its retries explicitly.
CELERY_BROKER_TRANSPORT_OPTIONS["max_retries"] = 0
# --- end: broker down ---
# Sessions are read from the cache and written through to the database (a signed-in request no
# longer queries the session table; a cache that is flushed costs one query, not the session).
SESSION_ENGINE = "apps.common.sessions"

# A cache shared by every web process when Redis is there (short-lived figures: the home page's
# unit tree); the process's own memory otherwise.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "hse",
            "TIMEOUT": 300,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "TIMEOUT": 300}}
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = 10 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 9 * 60
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The beat schedule lives in code; times are in the site's time zone (CELERY_TIMEZONE).
CELERY_BEAT_SCHEDULE = {
    "actions-daily-reminders": {
        "task": "actions.plan_reminders",
        "schedule": crontab(hour=env.int("ACTIONS_REMINDER_HOUR", default=7), minute=0),
    },
    # Delivers what the outbox holds: catches anything a web process could not queue (the broker
    # unreachable from it). Every minute: cheap, a partial index holds only the pending rows. (A
    # worker also delivers whenever it connects to the broker: apps/notifications/worker.py.)
    "notifications-deliver-pending": {"task": "notifications.deliver_pending", "schedule": 60.0},
    "exports-sweep": {"task": "exports.sweep", "schedule": 300.0},
    "observations-recount-months": {"task": "observations.recount_months", "schedule": crontab(hour=2, minute=30)},
    # Passes past their last day become expired just after midnight; the warnings of passes and
    # documents running out within a week go out before the morning shift.
    "contractors-expire-passes": {"task": "contractors.expire_passes", "schedule": crontab(hour=0, minute=5)},
    "contractors-expiry-warnings": {"task": "contractors.plan_expiry_warnings", "schedule": crontab(hour=6, minute=30)},
    # Trainings running out within 30 days: one digest per person and line manager, before the shift.
    "trainings-expiry-digest": {"task": "trainings.plan_expiry_digest", "schedule": crontab(hour=6, minute=40)},
    # Signals unanswered for 14 days go to the HSE head.
    "internships-escalate-signals": {"task": "internships.escalate_signals", "schedule": crontab(hour=7, minute=10)},
    # KPI snapshots: the unit-months changed a while ago (a refresh lost with the broker), and every
    # KPI of every unit for the last 24 months each night.
    "kpis-refresh-pending": {"task": "kpis.refresh_pending", "schedule": 60.0},
    "kpis-refresh-all": {"task": "kpis.refresh_all", "schedule": crontab(hour=2, minute=50)},
    # The executive's monthly report of the month before, on the 2nd, and a sweep of reports stuck.
    "kpis-monthly-report": {
        "task": "kpis.schedule_monthly_report",
        "schedule": crontab(day_of_month=2, hour=6, minute=0),
    },
    "kpis-sweep-monthly-reports": {"task": "kpis.sweep_monthly_reports", "schedule": 300.0},
}

# --- Action register ------------------------------------------------------------------------------
ACTIONS_DUE_SOON_DAYS = env.int("ACTIONS_DUE_SOON_DAYS", default=3)  # N
ACTIONS_ESCALATE_MANAGER_AFTER_DAYS = env.int("ACTIONS_ESCALATE_MANAGER_AFTER_DAYS", default=7)  # M
ACTIONS_ESCALATE_HEAD_AFTER_DAYS = env.int("ACTIONS_ESCALATE_HEAD_AFTER_DAYS", default=14)  # K
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=10)

# --- KPIs ----------------------------------------------------------------------------------------
# The severity rate's basis: days lost per 1,000 hours worked (the Russian/ILO habit) or per
# 200,000 hours as OSHA counts them.
KPI_SEVERITY_RATE_HOURS = env.int("KPI_SEVERITY_RATE_HOURS", default=1000)
if KPI_SEVERITY_RATE_HOURS not in (1000, 200_000):
    raise ImproperlyConfigured("KPI_SEVERITY_RATE_HOURS is 1000 or 200000.")

# --- Gemba observations --------------------------------------------------------------------------
OBSERVATIONS_MONTHLY_TARGET = env.int("OBSERVATIONS_MONTHLY_TARGET", default=8)  # per observer
# Photos from phones: allow a few 10 MB photos in one request.
# A form's or a JSON call's text: 2 MB is far above any real one. Files: five 10 MB photos and more.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
PORTAL_MAX_UPLOAD_BYTES = 60 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Links in e-mails point here.
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="http://127.0.0.1:8000")
# The first day the enterprise's records can be about: older dates are refused as typing errors.
PORTAL_RECORDS_BEGIN = date.fromisoformat(env.str("PORTAL_RECORDS_BEGIN", default="2000-01-01"))

# --- REST API ---------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Deny by default: a view that names no capability is refused.
    "DEFAULT_PERMISSION_CLASSES": ["apps.accounts.api_permissions.HasCapability"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "apps.common.pagination.PortalPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "apps.common.api.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "HSE Portal API",
    "DESCRIPTION": "Health, safety and environment management: organisation, actions, "
    "observations, audits, incidents. Same scoping and permissions as the pages.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Every operation documents the portal's error responses (401, 403, 404, 400): apps/common/schema.py.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "apps.common.schema.add_error_responses",
    ],
    # Action priority and observation risk share one scale (low … critical).
    "ENUM_NAME_OVERRIDES": {
        "RiskLevelEnum": "apps.observations.models.Observation.Risk",
        # Several records have a `status` and a `step`: each choice set is named, and the action
        # register's statuses and the investigation's steps keep the names they had.
        "StatusEnum": "apps.actions.models.Action.Status",
        "StepEnum": ["analysis", "approve", "close", "plan"],
        "ContractorCompanyStatusEnum": "apps.contractors.models.ContractorCompany.Status",
        "WorkOrderStatusEnum": "apps.contractors.models.WorkOrder.Status",
        "WorkOrderStepEnum": "apps.contractors.services.WORK_ORDER_STEPS",
        "AccessPassStatusEnum": "apps.contractors.models.AccessPass.Status",
        "SignalKindEnum": "apps.internships.models.Signal.Kind",
        "SignalStatusEnum": "apps.internships.models.Signal.Status",
        "InternshipStatusEnum": "apps.internships.models.Internship.Status",
        "TrainingSessionStatusEnum": "apps.trainings.models.TrainingSession.Status",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # WeasyPrint and its font tools log every step of a PDF at INFO and DEBUG: only problems here.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # At DEBUG Django logs every SQL statement with its parameters: a signal's text, a worker's
        # medical details. Never, whatever LOG_LEVEL says.
        "django.db.backends": {"level": "INFO"},
    },
}

# Demo data password (printed by `make run`); only the seed command uses it.
DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="hse-demo-2026")

# --- Security headers and Content-Security-Policy (issue 14) ---------------------------------------
# django-csp sets the policy on every response; a page's own <script> tags carry the request's nonce
# (`nonce="{{ request.csp_nonce }}"`), so no injected inline script runs, and inline event handlers
# (onclick=...) are not allowed at all. Inline *styles* are (style="..." attributes remain in the
# templates and htmx adds its indicator style); scripts never. Bootstrap's CSS draws its form
# controls with data: SVG images. Enforced in every environment (tests included, so the browser
# tests see a violation), never report-only.
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
INSTALLED_APPS += ["csp"]
MIDDLEWARE += [
    "csp.middleware.CSPMiddleware",
    # After authentication: `no-store` on whatever a signed-in user is sent (apps/common/middleware.py).
    "apps.common.middleware.NoStoreForSignedInMiddleware",
]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# --- end of security headers ------------------------------------------------------------------------

# --- Sign-in throttling: the axes middleware comes last (keep this at the end of the file) ----------
# It turns a lockout into the 429 page; inside every other middleware, that page gets their headers.
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]
