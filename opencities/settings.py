"""OPENCities settings, read from the environment with embedded defaults.

A fresh clone runs with nothing configured when DEBUG is on (SQLite in var/, tasks in process,
emails as files in var/outbox/). With DEBUG off, the production settings must be given.
"""

import re
from email.utils import parseaddr
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

# Development values from a file, for commands run by hand: `make setup` writes a git-ignored .env beside
# manage.py (DEBUG, DEMO_MODE, a generated SECRET_KEY, SITE_URL; opencities/devenv.py). What the environment
# sets wins over the file. ENV_FILE names another file; empty reads none (the test suite and `make bench`).
ENV_FILE = env.str("ENV_FILE", default=str(BASE_DIR / ".env"))
if ENV_FILE:
    environ.Env.read_env(ENV_FILE, overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
DEMO_MODE = env.bool("DEMO_MODE", default=False)


def _required_in_production(name, value):
    if not value and not DEBUG:
        raise ImproperlyConfigured(
            f"The {name} environment variable must be set when DEBUG is off (see the settings table in README.md; "
            "for development, `make setup` writes a .env that turns DEBUG on)."
        )
    return value


SECRET_KEY = _required_in_production("SECRET_KEY", env.str("SECRET_KEY", default=""))
if not SECRET_KEY:
    # Only reachable with DEBUG on: a key that is obviously not for production.
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
_required_in_production("ALLOWED_HOSTS", ALLOWED_HOSTS)
# The address users reach the site at; links in emails are built from it.
SITE_URL = _required_in_production("SITE_URL", env.str("SITE_URL", default="http://127.0.0.1:8000" if DEBUG else ""))
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# ADMINS: comma-separated addresses, each "Name <address>" or a bare address; they get error emails.
ADMINS = [parseaddr(entry) for entry in env.list("ADMINS", default=[])]
if any("@" not in address for _name, address in ADMINS):
    raise ImproperlyConfigured('ADMINS must be a comma-separated list of "Name <address>" entries.')
MANAGERS = ADMINS

INSTALLED_APPS = [
    # Before the admin: it patches the registered models (casestudies/translation.py, recommendations/translation.py)
    # and its admin classes must load first.
    "modeltranslation",
    "opencities.adminsite.OpenCitiesAdminConfig",  # django.contrib.admin, with the site of opencities/adminsite.py
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "import_export",
    "axes",
    "csp",
    "opencities",
    "assessments",
    "casestudies",
    "recommendations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Before the language: an address without one follows the signed-in account's choice (opencities/languages.py).
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "opencities.languages.AccountLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "opencities.urls"
WSGI_APPLICATION = "opencities.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Before the apps' templates: the admin's base_site.html (favicon, admin.css), which no app can override
        # since django.contrib.admin comes first in INSTALLED_APPS.
        "DIRS": [BASE_DIR / "opencities" / "admin_templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "opencities.context_processors.site",
            ],
        },
    },
]

# Database: DATABASE_URL, else a SQLite file in var/ (the embedded default for a first `make run`).
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'opencities.sqlite3'}"),
}
if not env.str("DATABASE_URL", default=""):
    VAR_DIR.mkdir(exist_ok=True)
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Time limits (docs/architecture.md, "Time limits"). Connecting gives up after this many seconds, in every process
# (on SQLite: how long a write waits for another's lock); a value in DATABASE_URL's query string wins.
DATABASE_CONNECT_TIMEOUT = env.int("DATABASE_CONNECT_TIMEOUT", default=5)
_database_options = DATABASES["default"].setdefault("OPTIONS", {})
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _database_options.setdefault("connect_timeout", DATABASE_CONNECT_TIMEOUT)
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    _database_options.setdefault("timeout", DATABASE_CONNECT_TIMEOUT)
# One statement of a web request may run this long on PostgreSQL (0: no limit), well inside gunicorn's 30 s, so a
# stuck query ends in an error page instead of a killed worker. Only the WSGI process sets it (opencities/wsgi.py):
# migrations, commands, workers and the benchmarks' set-up run without it.
DATABASE_STATEMENT_TIMEOUT_MS = env.int("DATABASE_STATEMENT_TIMEOUT_MS", default=10_000)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # First, as django-axes asks: it refuses locked-out credentials before any other backend.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "my_cities"
LOGOUT_REDIRECT_URL = "home"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 3

# Limits on guessing and flooding (docs/architecture.md, "Limits on guessing and flooding").
# Five wrong passwords for one account, from any address, lock it for 15 minutes; a password reset ends that.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Axes warns when it does not count per address; the limit per address is LOGIN_FAILURES_PER_ADDRESS below, with
# its own count and period, which axes cannot give a second parameter.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
# The client's address: the peer's, or with TRUSTED_PROXY_COUNT proxies in front (each appending to
# X-Forwarded-For) the one the outermost of them saw. Axes and the rate limits read it the same way.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "opencities.throttling.client_ip"
RATELIMIT_IP_META_KEY = "opencities.throttling.client_ip"
# Counted by django-ratelimit in the default cache (shared by every process when REDIS_URL is set); a cache
# that cannot count lets requests through rather than refusing every login.
RATELIMIT_USE_CACHE = "default"
RATELIMIT_FAIL_OPEN = True
RATELIMIT_CACHE_PREFIX = "limits:"
LOGIN_FAILURES_PER_ADDRESS = env.str("LOGIN_FAILURES_PER_ADDRESS", default="20/h")
PASSWORD_RESETS_PER_EMAIL = env.str("PASSWORD_RESETS_PER_EMAIL", default="3/h")
PASSWORD_RESETS_PER_ADDRESS = env.str("PASSWORD_RESETS_PER_ADDRESS", default="10/h")
ACCESS_REQUESTS_PER_ADDRESS = env.str("ACCESS_REQUESTS_PER_ADDRESS", default="5/h")
for _limit in (
    "LOGIN_FAILURES_PER_ADDRESS",
    "PASSWORD_RESETS_PER_EMAIL",
    "PASSWORD_RESETS_PER_ADDRESS",
    "ACCESS_REQUESTS_PER_ADDRESS",
):
    if not re.fullmatch(r"[1-9]\d*/\d*[smhd]", vars()[_limit]):
        raise ImproperlyConfigured(f'{_limit} must be a rate such as "20/h" (per s, m, h or d; "20/15m" works too).')

# Invitations to join a city expire after this many days.
INVITATION_MAX_AGE_DAYS = env.int("INVITATION_MAX_AGE_DAYS", default=7)

# The site's languages (docs/languages.md): each needs its catalogue in locale/, its questionnaire translation and
# its glossary; English is the fallback for anything not translated.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French")), ("de", _("German")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Editors' content (case studies, rules, themes, publications) has one column per language and field
# (django-modeltranslation, with LANGUAGES as its languages): English is the content's source, required and the
# fallback of every other language; slugs are made from the English title.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
MODELTRANSLATION_REQUIRED_LANGUAGES = ("en",)
MODELTRANSLATION_PREPOPULATE_LANGUAGE = "en"
# PostgreSQL's text-search configuration of each language, for the case-study library's search (stemming); a
# language without one is searched word by word (casestudies/search_columns.py).
TEXT_SEARCH_CONFIGURATIONS = {"en": "english", "fr": "french", "de": "german", "es": "spanish"}
# The site's own date formats where Django's default for a language is not how the site writes it.
FORMAT_MODULE_PATH = ["opencities.formats"]
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Zurich")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "static")
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Email: EMAIL_URL (smtp://user:password@host:587/?tls=True, parsed by django-environ),
# else one file per message in var/outbox/.
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="OPENCities <noreply@opencities.localhost>")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
EMAIL_SUBJECT_PREFIX = "[OPENCities] "
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "opencities.mail.OutboxEmailBackend"
    EMAIL_FILE_PATH = env.path("EMAIL_FILE_PATH", default=VAR_DIR / "outbox")
# Seconds for each SMTP operation; an email is sent by a task, which retries.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)

# Celery: REDIS_URL set means a real broker and result backend; empty means tasks run in process.
# An empty broker URL would mean AMQP on localhost, so the in-process case is spelt out.
REDIS_URL = env.str("REDIS_URL", default="")
# Seconds to connect to Redis and for each command (cache, broker, result backend): a Redis that vanished without
# closing the connection then fails a request or a send quickly instead of holding it forever.
REDIS_SOCKET_TIMEOUT = env.float("REDIS_SOCKET_TIMEOUT", default=5)
_redis_timeouts = {"socket_timeout": REDIS_SOCKET_TIMEOUT, "socket_connect_timeout": REDIS_SOCKET_TIMEOUT}
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
    CELERY_REDIS_SOCKET_TIMEOUT = CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = REDIS_SOCKET_TIMEOUT
else:
    CELERY_BROKER_URL = "memory://localhost/"  # with a host name, kombu does not warn that it assumed one
    CELERY_RESULT_BACKEND = "cache+memory://"
    CELERY_TASK_ALWAYS_EAGER = True
    # As on a worker: a task that fails records why on its row (on_failure) instead of raising in the sender.
    CELERY_TASK_EAGER_PROPAGATES = False
    CELERY_TASK_STORE_EAGER_RESULT = True
# Caches (what is cached and when it goes out of date: opencities/caching.py). Redis when REDIS_URL is set, so
# every web and worker process shares one cache; local memory otherwise, which serves one process (`make run`).
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env.str("CACHE_URL", default=REDIS_URL),
            "KEY_PREFIX": "opencities",
            "TIMEOUT": 60 * 60 * 24,
            "OPTIONS": _redis_timeouts,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "opencities",
            "TIMEOUT": 60 * 60 * 24,
            "OPTIONS": {"MAX_ENTRIES": 1000},
        }
    }
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
# A message that a killed worker held comes back after the visibility timeout: it must outlast
# the hard time limit, or a slow task still running would be handed to a second worker.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT * 2, **_redis_timeouts}
CELERY_RESULT_EXPIRES = 60 * 60 * 24
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# Otherwise the worker replaces the root logger's handlers, and its own lines and errors reach neither the
# console format above nor ADMINS.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# The sweepers queue again what a broker outage or a lost worker left behind: reports and deliveries
# (recommendations.services.queue_reports) and the outbox's notices (opencities.notices.notices_sweep). They run
# often, with cheap indexed queries, so that rows whose queueing failed go as soon as the broker answers again; a
# run that waited longer than one period (no worker meanwhile) is dropped, the next one does its work.
SWEEPER_EVERY = env.int("SWEEPER_EVERY", default=env.int("QUEUE_REPORTS_EVERY", default=30))
SWEEPERS = ["opencities.notices.notices_sweep", "recommendations.services.queue_reports"]
CELERY_BEAT_SCHEDULE = {
    "queue-reports": {
        "task": "recommendations.queue_reports",
        "schedule": SWEEPER_EVERY,
        "options": {"expires": SWEEPER_EVERY},
    },
    "sweep-notices": {
        "task": "opencities.sweep_notices",
        "schedule": SWEEPER_EVERY,
        "options": {"expires": SWEEPER_EVERY},
    },
    "purge-notices": {"task": "opencities.purge_notices", "schedule": 60 * 60 * 24},
}
# Without a broker there is no beat: the sweepers then run after a request, at most once per SWEEPER_EVERY.
SWEEP_ON_REQUESTS = env.bool("SWEEP_ON_REQUESTS", default=not REDIS_URL)
# The outbox keeps sent (and skipped or failed) notices this many days, to answer "did the email go out?", then
# deletes them: they hold addresses, kept no longer than that question needs.
NOTICE_RETENTION_DAYS = env.int("NOTICE_RETENTION_DAYS", default=30)
# A notice whose mail server keeps failing is tried again (five retries, then the sweeper starts over) for this
# many hours after its event, then marked failed.
NOTICE_GIVE_UP_AFTER_HOURS = env.int("NOTICE_GIVE_UP_AFTER_HOURS", default=48)

# /healthz answers within HEALTHZ_BUDGET seconds. Its worker ping goes out at most once per HEALTHZ_WORKERS_EVERY
# seconds, and every web process reads that result from the cache meanwhile (opencities/health.py).
HEALTHZ_BUDGET = env.float("HEALTHZ_BUDGET", default=1.0)
HEALTHZ_WORKERS_EVERY = env.float("HEALTHZ_WORKERS_EVERY", default=5)

# Security: with DEBUG off every check of `manage.py check --deploy` passes.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "opencities.views.csrf_failure"

# Content Security Policy: scripts and styles only from our own static files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"},
    },
    "filters": {
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        "mail_admins": {
            "level": "ERROR",
            "filters": ["require_debug_false"],
            "class": "django.utils.log.AdminEmailHandler",
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.request": {"handlers": ["console", "mail_admins"], "level": "ERROR", "propagate": False},
        "django.security": {"handlers": ["console", "mail_admins"], "level": "ERROR", "propagate": False},
        "axes": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "celery": {"handlers": ["console", "mail_admins"], "level": "INFO", "propagate": False},
    },
}
