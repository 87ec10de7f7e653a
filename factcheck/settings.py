"""Settings for the fact-check annotation service.

Every value comes from the environment. A bad value stops start-up with ImproperlyConfigured
naming the variable, so a typo in a deployment never silently falls back to a default.
"""

import os
import re
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def envbool(name, default):
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}"
    )


def envint(name, default, *, minimum=None, maximum=None):
    raw = os.environ.get(name)
    if raw is None:
        return default
    # Set but empty is a mistake (`FACTCHECK_REQUIRED_APPROVALS=` with the value forgotten), not
    # a request for the default: it could quietly lower a limit someone meant to raise.
    if raw.strip() == "":
        raise ImproperlyConfigured(f"{name} is set but empty; give a whole number or unset it")
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}; got {value}")
    if maximum is not None and value > maximum:
        raise ImproperlyConfigured(f"{name} must be at most {maximum}; got {value}")
    return value


def envlist(name, default):
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def envurl(name, default):
    raw = os.environ.get(name, default).strip()
    if raw and not raw.startswith(("http://", "https://")):
        raise ImproperlyConfigured(f"{name} must be an http(s) URL; got {raw!r}")
    return raw


DEBUG = envbool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    # Only for local development: a fixed key keeps sessions valid across restarts.
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
if not ALLOWED_HOSTS and not DEBUG:
    # Django would start and then answer every request 400 (DisallowedHost).
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS must name the host names this site is served under (comma-separated) "
        "when DEBUG is off"
    )
# Origins other than this site's own that may send writes: Django's CSRF check trusts them, and
# so does the API's CORS (see below).
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # The admin, with the desk's own site class (annotations/admin_site.py).
    "annotations.admin_config.DeskAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    # PostgreSQL search and trigram lookups, and the migration operation creating pg_trgm.
    "django.contrib.postgres",
    "corsheaders",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    # Login failures are counted and locked out (django-axes): admin passwords cannot be guessed
    # at the speed of a script.
    "axes",
    # The task queue, kept in PostgreSQL (procrastinate): webhook deliveries are deferred in the
    # same transaction as the change they announce. Before "annotations", whose tasks it finds.
    "procrastinate.contrib.django",
    "csp",
    "annotations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything that answers or reads the session: it answers CORS preflights itself and
    # refuses writes from other sites (annotations/api/cors.py).
    "annotations.api.cors.APICorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Content-Security-Policy on every page (django-csp; the policy is below).
    "csp.middleware.CSPMiddleware",
    # Records request.user on every history row, so history says who made each change.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires: it answers a locked-out login with 429.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Two lockouts, each for AXES_COOLOFF_MINUTES: a username from one address after
# AXES_FAILURE_LIMIT failures (a success resets it), and the address itself after
# AXES_IP_FAILURE_LIMIT failures whatever the usernames, or one client could try a common
# password on every account (password spraying). The address's limit is higher because colleagues
# behind one NAT share it.
AXES_USERNAME_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_IP_FAILURE_LIMIT = envint("AXES_IP_FAILURE_LIMIT", 30, minimum=AXES_USERNAME_FAILURE_LIMIT)
AXES_COOLOFF_TIME = envint("AXES_COOLOFF_MINUTES", 15, minimum=1) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]


def _login_failure_limit(request, credentials):
    """The limit django-axes applies to one login attempt.

    django-axes has one limit, compared with the largest count over AXES_LOCKOUT_PARAMETERS,
    which is the address's (it counts every username's failures). So the limit is the address's
    unless this username has used up its own allowance from that address.
    """
    from axes.handlers.proxy import AxesProxyHandler
    from django.conf import settings
    from django.db.models import Sum

    handler = AxesProxyHandler.get_implementation()
    # [0]: the first of AXES_LOCKOUT_PARAMETERS, username and address together.
    by_username = handler.get_user_attempts(request, credentials)[0]
    failures = by_username.aggregate(n=Sum("failures_since_start"))["n"] or 0
    if failures >= settings.AXES_USERNAME_FAILURE_LIMIT:
        return settings.AXES_USERNAME_FAILURE_LIMIT
    return settings.AXES_IP_FAILURE_LIMIT


AXES_FAILURE_LIMIT = _login_failure_limit
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False  # lockouts are still logged; this only silences its start-up banner
AXES_IPWARE_PROXY_COUNT = 1 if envbool("TRUST_X_FORWARDED_PROTO", False) else 0

ROOT_URLCONF = "factcheck.urls"
WSGI_APPLICATION = "factcheck.wsgi.application"
ASGI_APPLICATION = "factcheck.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def _database():
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        raise ImproperlyConfigured(
            "DATABASE_URL must be set, e.g. postgresql://user:password@host:5432/dbname "
            "(`make run` and `make test` set it for their own PostgreSQL)"
        )
    try:
        config = dj_database_url.parse(url, conn_max_age=envint("DB_CONN_MAX_AGE", 60, minimum=0))
    except Exception as exc:  # dj-database-url raises several types on a malformed URL
        raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from None
    if config.get("ENGINE") != "django.db.backends.postgresql":
        raise ImproperlyConfigured(
            f"DATABASE_URL must point at PostgreSQL (postgres:// or postgresql://); got {url!r}"
        )
    # A dead connection kept by conn_max_age is tested before use, so a database restart
    # costs one failed request at most instead of a broken worker.
    config["CONN_HEALTH_CHECKS"] = True
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

# Security: safe defaults whenever DEBUG is off; each can be relaxed by its own variable
# (for example behind a proxy that terminates TLS and already redirects).
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if envbool("TRUST_X_FORWARDED_PROTO", False) else None
)
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts, styles, fonts and images from this site only,
# no inline script or style attribute anywhere (the admin, the Annotate script, the public site
# and the API docs have none), nothing framing us, forms posting only here. An injected
# <script> or style attribute that escaping somehow missed would not run. The browser tests
# fail on any violation a page reports.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Cross-origin requests (django-cors-headers, with the API's rules in annotations/api/cors.py):
# every origin may read the API's public data, anonymously: `*`, no credentials, and only the
# methods and headers a read needs. Writes only from this site and CSRF_TRUSTED_ORIGINS.
CORS_URLS_REGEX = r"^/api/v1/"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ("GET", "HEAD", "OPTIONS")
# `accept`: a W3C page is asked for by an Accept header with a profile, which browsers preflight.
CORS_ALLOW_HEADERS = ("accept",)
CORS_EXPOSE_HEADERS = ("ETag", "Location", "Retry-After")
# Seconds a browser may reuse a preflight's answer.
CORS_PREFLIGHT_MAX_AGE = envint("CORS_PREFLIGHT_MAX_AGE", 86_400, minimum=0)

# Largest request body Django will read (bytes): an article body plus its JSON envelope.
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024, minimum=1024)

REST_FRAMEWORK = {
    # Token first: an anonymous write is then 401 with `WWW-Authenticate: Token`, not 403.
    # Session authentication enforces CSRF, as the admin's own pages need.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Anonymous clients read (published data only: selectors scope every queryset); who may
    # write what is decided by the services.
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    # DRF's JSON, byte for byte, written by orjson (annotations/api/renderers.py).
    "DEFAULT_RENDERER_CLASSES": ["annotations.api.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["annotations.api.parsers.JSONParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "annotations.api.renderers.FormatOverrideNegotiation",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # drf-spectacular's, plus what it cannot read from the views (annotations/api/schema.py).
    "DEFAULT_SCHEMA_CLASS": "annotations.api.schema.APISchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "annotations.api.throttles.AnonThrottle",
        "annotations.api.throttles.UserThrottle",
    ],
    "EXCEPTION_HANDLER": "annotations.api.exceptions.exception_handler",
    # The API speaks JSON only, so its test client does too.
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Fact-check annotation service API",
    "DESCRIPTION": (
        "Articles, spans (claim / evidence / disputed), rulings and their review workflow. "
        "Offsets count Unicode code points unless `offset_unit=utf-16`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    # Two choice sets share the field name `kind` (a span's kind, a claimant's kind).
    "ENUM_NAME_OVERRIDES": {
        "SpanKindEnum": "annotations.models.Kind",
        "ClaimantKindEnum": "annotations.models.ClaimantKind",
    },
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}


def envrate(name, default):
    """A request rate like `300/min` (DRF's form), or `off`."""
    raw = os.environ.get(name, default).strip().lower()
    if raw == "off":
        return None
    match = re.fullmatch(r"(\d+)/(s|sec|second|m|min|minute|h|hour|d|day)", raw)
    if not match or int(match[1]) < 1:
        raise ImproperlyConfigured(f"{name} must be like 300/min (or off); got {raw!r}")
    return raw


# API throttling per client: anonymous clients by address, others by user. Counts live in the
# cache (per process unless CACHES is shared), so they bound each worker, not the fleet.
THROTTLE_ANON = envrate("THROTTLE_ANON", "300/min")
THROTTLE_USER = envrate("THROTTLE_USER", "3000/min")

# Product settings.
FACTCHECK_REQUIRED_APPROVALS = envint("FACTCHECK_REQUIRED_APPROVALS", 1, minimum=1, maximum=10)
FACTCHECK_ORG_NAME = os.environ.get("FACTCHECK_ORG_NAME", "Fact-check desk").strip()
if not FACTCHECK_ORG_NAME:
    raise ImproperlyConfigured("FACTCHECK_ORG_NAME must not be empty")
FACTCHECK_ORG_URL = envurl("FACTCHECK_ORG_URL", "")
# Absolute base of public links (ClaimReview url, W3C source); empty means "from the request".
FACTCHECK_PUBLIC_BASE_URL = envurl("FACTCHECK_PUBLIC_BASE_URL", "")
# How the desk works, shown on every public page: readers judge a verdict by its method.
FACTCHECK_METHODOLOGY = os.environ.get(
    "FACTCHECK_METHODOLOGY",
    "Each ruling checks one claim, stated in neutral words, against the passages and sources "
    "it cites. An annotator drafts it; it is published only after an editor who wrote none of "
    "it approves the version shown. The rating says how accurate the claim is, not how many "
    "sources repeat it. A ruling later found wrong is withdrawn in public, with the reason.",
).strip()
if not FACTCHECK_METHODOLOGY:
    raise ImproperlyConfigured("FACTCHECK_METHODOLOGY must not be empty")

# Webhooks (annotations/services/webhooks.py). A receiver on a loopback, private or link-local
# address (and plain http, which only such a receiver may use) is refused unless this is on:
# otherwise a registered URL could make the server call into its own network.
WEBHOOK_ALLOW_PRIVATE_NETWORKS = envbool("WEBHOOK_ALLOW_PRIVATE_NETWORKS", False)
# Retries: base, 2×base, 4×base, ... (at most an hour apart) until RETRY_FOR after the event.
WEBHOOK_RETRY_BASE_SECONDS = envint("WEBHOOK_RETRY_BASE_SECONDS", 30, minimum=1)
WEBHOOK_RETRY_FOR_SECONDS = envint("WEBHOOK_RETRY_FOR_SECONDS", 86400, minimum=1)
WEBHOOK_TIMEOUT_SECONDS = envint("WEBHOOK_TIMEOUT_SECONDS", 10, minimum=1, maximum=120)
# A job whose worker has sent no heartbeat for this long (it died mid-delivery) is run again.
WEBHOOK_STALLED_AFTER_SECONDS = envint("WEBHOOK_STALLED_AFTER_SECONDS", 60, minimum=1)
# How often the workers look for such jobs (a cron line; six fields count seconds).
WEBHOOK_STALLED_CHECK_CRON = os.environ.get("WEBHOOK_STALLED_CHECK_CRON", "* * * * *").strip()
PROCRASTINATE_WORKER_DEFAULTS = {
    # Heartbeats every few seconds, so a dead worker's jobs are found stalled soon after.
    "update_heartbeat_interval": envint("WORKER_HEARTBEAT_SECONDS", 10, minimum=1),
    # Several deliveries at once: one slow receiver (up to the timeout) does not hold up the
    # others, nor the periodic search for stalled jobs.
    "concurrency": envint("WORKER_CONCURRENCY", 4, minimum=1, maximum=64),
    # Finished jobs are deleted: the delivery log (WebhookDelivery) is the record; failed jobs
    # stay in the queue's tables for inspection.
    "delete_jobs": "successful",
}

_LEVELS = ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO").strip().upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ImproperlyConfigured(
        f"LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL; got {LOG_LEVEL!r}"
    )

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # The level is on the handler too: a logger with its own level (Django's "django" logger is
    # INFO) passes records up to the root's handler whatever the root's level says.
    "handlers": {"console": {"class": "logging.StreamHandler", "level": LOG_LEVEL}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # Replaces Django's default handlers for its loggers (its console one would print each record
    # a second time in DEBUG); records still reach the root handler above.
    "loggers": {
        "django": {"level": LOG_LEVEL},
        # procrastinate tells at INFO of every task it registers, in every process that loads
        # the settings (each manage.py command); its warnings and the worker's errors remain.
        "procrastinate": {"level": max(LOG_LEVEL, "WARNING", key=_LEVELS.index)},
    },
}
