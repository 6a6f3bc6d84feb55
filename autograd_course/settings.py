"""Settings for Autograd Course, read from the environment.

Defaults give a working local site: SQLite under var/, a broker that needs no server
(kombu's SQLAlchemy transport on SQLite), DEBUG on. Production sets DEBUG=0 and
provides SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL and CELERY_BROKER_URL; see the
configuration table in README.md.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from .env import env_bool, env_float, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", True)
_DEV_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"
SECRET_KEY = env_str("SECRET_KEY", _DEV_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
# The HMAC key of variant seeds and check points (exercises/spec.py): with it, hidden
# check points can be computed, so it is a secret like SECRET_KEY. A development default
# is derived from the development SECRET_KEY under its own label, so `make run` keeps
# the same variants across restarts; production must set it. Changing it changes the
# variants and points of everything graded afterwards, regrades included.
GRADER_SEED_KEY = env_str(
    "GRADER_SEED_KEY",
    hmac.new(SECRET_KEY.encode(), b"autograd-course grader seed key", hashlib.sha256).hexdigest()
    if DEBUG
    else "",
)
if not GRADER_SEED_KEY:
    raise ImproperlyConfigured("GRADER_SEED_KEY must be set when DEBUG is off")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "csp",
    "accounts",
    "exercises",
    "notes",
    "grader",
    "dashboard",
    "lti_tool",
    "lti",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After static files (served without a turn): few requests compute at once.
    "autograd_course.slots.ActiveRequestLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.ApiTokenMiddleware",
    # Every page needs a login unless its view is marked @login_not_required.
    # (accounts' subclass sends an htmx request's whole page to the login.)
    "accounts.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "autograd_course.urls"
WSGI_APPLICATION = "autograd_course.wsgi.application"

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
                "accounts.context_processors.roles",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        # A reused connection is checked (SELECT 1) before its first query in each request
        # or task: after a database restart the first answer is not lost to a dead socket.
        conn_health_checks=env_bool("DB_CONN_HEALTH_CHECKS", True),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not :memory:, so that a real worker process started by the tests sees
    # the rows the test wrote. WAL and a busy timeout let web and worker share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["OPTIONS"] = {
        # Bind parameters on the server, so psycopg can prepare the statements every
        # answer repeats (after prepare_threshold uses on a connection): PostgreSQL then
        # skips parsing and planning them. Django's default binds on the client and
        # sends every statement as new SQL text.
        "server_side_binding": env_bool("DB_SERVER_SIDE_BINDING", True),
        "prepare_threshold": env_int("DB_PREPARE_THRESHOLD", 5),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Answers only the single sign-on callback, and only when SSO_ENABLED (below).
    "accounts.sso.OidcBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "exercises:list"
LOGOUT_REDIRECT_URL = "login"

# Login throttling: a lock per username+IP after repeated failures, released after a
# cool-off, so a typo does not lock a student out for the rest of the exam.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 8)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 10))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
AXES_WHITELIST_CALLABLE = "accounts.sso.axes_not_a_password_attempt"

# --- Single sign-on (OpenID Connect, accounts/sso.py) -------------------------------------
# On when every variable below is set (the endpoints are in the provider's
# /.well-known/openid-configuration); local accounts keep working either way. Users are
# linked by the provider's issuer + `sub`, never by e-mail.
OIDC_ISSUER = env_str("OIDC_ISSUER", "")
OIDC_RP_CLIENT_ID = env_str("OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = env_str("OIDC_CLIENT_SECRET", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("OIDC_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = env_str("OIDC_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = env_str("OIDC_USERINFO_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = env_str("OIDC_JWKS_ENDPOINT", "")
_SSO_VARIABLES = {
    "OIDC_ISSUER": OIDC_ISSUER,
    "OIDC_CLIENT_ID": OIDC_RP_CLIENT_ID,
    "OIDC_CLIENT_SECRET": OIDC_RP_CLIENT_SECRET,
    "OIDC_AUTHORIZATION_ENDPOINT": OIDC_OP_AUTHORIZATION_ENDPOINT,
    "OIDC_TOKEN_ENDPOINT": OIDC_OP_TOKEN_ENDPOINT,
    "OIDC_USERINFO_ENDPOINT": OIDC_OP_USER_ENDPOINT,
    "OIDC_JWKS_ENDPOINT": OIDC_OP_JWKS_ENDPOINT,
}
SSO_ENABLED = all(_SSO_VARIABLES.values())
if any(_SSO_VARIABLES.values()) and not SSO_ENABLED:
    _missing = ", ".join(name for name, value in _SSO_VARIABLES.items() if not value)
    raise ImproperlyConfigured(f"Single sign-on is half configured: set {_missing}")
# The button's label on the login page: "Log in with <name>".
SSO_PROVIDER_NAME = env_str("OIDC_PROVIDER_NAME", "single sign-on")
OIDC_RP_SIGN_ALGO = env_str("OIDC_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = env_str("OIDC_SCOPES", "openid email profile")
OIDC_USE_PKCE = True
OIDC_TIMEOUT = env_float("OIDC_TIMEOUT_SECONDS", 10.0)
LOGIN_REDIRECT_URL_FAILURE = "/accounts/login/?sso=failed"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Security headers. No inline scripts anywhere: htmx and CodeMirror are static files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
# An htmx form refused by the CSRF check gets a message for its result area.
CSRF_FAILURE_VIEW = "accounts.views.csrf_failure"
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["stderr"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# --- Celery -----------------------------------------------------------------------
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", f"sqla+sqlite:///{VAR_DIR / 'broker.sqlite3'}")
# Results live in the database rows, so Celery's result backend is not used.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A new pool process starts its sandbox zygote and loads torch and the specs before it
# reports ready (grader/tasks.py): seconds on a busy machine. Celery's default of 4 s
# would kill it mid-start, and the next one, and so on.
CELERY_WORKER_PROC_ALIVE_TIMEOUT = env_float("CELERY_WORKER_PROC_ALIVE_TIMEOUT", 60.0)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Celery's Django fixup closes the database connection around every task unless this is
# set; grader/tasks.py closes it only when broken or older than CONN_MAX_AGE instead.
CELERY_DB_REUSE_MAX = env_int("CELERY_DB_REUSE_MAX", 1000)
if CELERY_BROKER_URL.startswith("redis"):
    # Redis redelivers an unacked message after this; the SQLAlchemy transport would
    # hand any option to create_engine(), which rejects it, so it gets none.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 300)
    }
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)

# --- Cache and sessions -------------------------------------------------------------
# Sessions are read from Redis when there is one (written through to the database; a
# Redis outage is a cache miss: autograd_course/cache.py), else from the database. Not
# a per-process cache: a logout must end the session in every web process at once.
CACHE_REDIS_URL = env_str(
    "CACHE_REDIS_URL",
    CELERY_BROKER_URL if CELERY_BROKER_URL.startswith(("redis://", "rediss://")) else "",
)
if CACHE_REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "autograd_course.cache.TolerantRedisCache",
            "LOCATION": CACHE_REDIS_URL,
            "KEY_PREFIX": "autograd",
            "OPTIONS": {"socket_connect_timeout": 1.0, "socket_timeout": 1.0},
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
CELERY_BEAT_SCHEDULE = {
    "sweep-stuck-submissions": {
        "task": "grader.tasks.sweep_stuck_submissions_task",
        "schedule": env_float("GRADER_SWEEP_EVERY_SECONDS", 5.0),
    },
}
CELERY_BEAT_SCHEDULE["publish-pending-lti-grades"] = {
    "task": "lti.tasks.publish_pending_grades_task",
    "schedule": env_float("LTI_PUBLISH_SWEEP_EVERY_SECONDS", 300.0),
}
CELERY_BEAT_SCHEDULE["purge-used-lti-nonces"] = {
    "task": "lti.tasks.purge_used_nonces_task",
    "schedule": 6 * 3600.0,
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- Grading ------------------------------------------------------------------------
# The sandbox's wall limit per job; Celery's limits are sized above it so that the
# sandbox, not Celery, ends a runaway answer and the student gets a message.
GRADER_SANDBOX_WALL_SECONDS = env_float("GRADER_SANDBOX_WALL_SECONDS", 5.0)
# CPU seconds per job. Every reference solution of the course runs in under 50 ms, so 1 s
# is 20x headroom; an answer that loops forever costs the machine this much, and just
# before a deadline there are a few of those a minute (docs/performance.md, Load).
GRADER_SANDBOX_CPU_SECONDS = env_int("GRADER_SANDBOX_CPU_SECONDS", 1)
CELERY_TASK_SOFT_TIME_LIMIT = int(GRADER_SANDBOX_WALL_SECONDS * 4) + 10
CELERY_TASK_TIME_LIMIT = CELERY_TASK_SOFT_TIME_LIMIT + 10
# A submission queued or running for longer than this is re-enqueued by the sweep. Just
# above the task's hard time limit: a `running` row older than that has no live run, and
# a duplicate message for a `queued` row is harmless (the claim lets one run in).
GRADER_STUCK_AFTER_SECONDS = env_int("GRADER_STUCK_AFTER_SECONDS", CELERY_TASK_TIME_LIMIT + 5)
# After this many grading attempts a submission ends in `error` instead of looping.
GRADER_MAX_ATTEMPTS = env_int("GRADER_MAX_ATTEMPTS", 3)
GRADER_MAX_ANSWER_BYTES = env_int("GRADER_MAX_ANSWER_BYTES", 64 * 1024)
GRADER_RATE_LIMIT_PER_MINUTE = env_int("GRADER_RATE_LIMIT_PER_MINUTE", 30)
GRADER_MAX_QUEUE_DEPTH = env_int("GRADER_MAX_QUEUE_DEPTH", 5000)
GRADER_QUEUE_DEPTH_CACHE_SECONDS = env_float("GRADER_QUEUE_DEPTH_CACHE_SECONDS", 1.0)
# Long polls (grader/notify.py): the result card and `GET /api/v1/submissions/<id>?wait=`
# hold the request until the answer is final, woken through Redis pub/sub when the
# broker is Redis, else by re-reading the row every GRADER_WAIT_POLL_SECONDS.
GRADER_NOTIFY_REDIS_URL = env_str(
    "GRADER_NOTIFY_REDIS_URL",
    CELERY_BROKER_URL if CELERY_BROKER_URL.startswith(("redis://", "rediss://")) else "",
)
# Requests computing at once per web process (autograd_course/slots.py); the others,
# and every long poll, wait without competing for the interpreter.
WEB_ACTIVE_REQUESTS = env_int("WEB_ACTIVE_REQUESTS", 2)
GRADER_WAIT_MAX_SECONDS = env_float("GRADER_WAIT_MAX_SECONDS", 20.0)
GRADER_CARD_WAIT_SECONDS = env_float("GRADER_CARD_WAIT_SECONDS", 15.0)
# How long the answer form's (htmx) submit waits for the score before it answers with
# a pending card instead.
GRADER_SUBMIT_WAIT_SECONDS = env_float("GRADER_SUBMIT_WAIT_SECONDS", 3.0)
GRADER_WAIT_REREAD_SECONDS = env_float("GRADER_WAIT_REREAD_SECONDS", 2.0)
GRADER_WAIT_POLL_SECONDS = env_float("GRADER_WAIT_POLL_SECONDS", 0.2)
GRADER_VERSION = "2026.11.1"

COURSE_CONTENT_DIR = BASE_DIR / "exercises" / "content"

# --- LTI 1.3 grade passback -----------------------------------------------------------
# A score the platform did not take is retried this many times, the delay doubling from
# LTI_PUBLISH_RETRY_SECONDS (30 s, 1 min, … about 4 h in all by default), then shown as
# failed on the console's passback page until resent. Rows left pending longer than
# the whole retry chain (a lost message) are sent again by the beat.
LTI_PUBLISH_MAX_RETRIES = env_int("LTI_PUBLISH_MAX_RETRIES", 9)
LTI_PUBLISH_RETRY_SECONDS = env_float("LTI_PUBLISH_RETRY_SECONDS", 30.0)
LTI_PUBLISH_SWEEP_AFTER_SECONDS = env_float("LTI_PUBLISH_SWEEP_AFTER_SECONDS", 21600.0)
