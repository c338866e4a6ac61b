"""miara settings. Every value comes from MIARA_* environment variables (contracts.md)."""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from miara import conf

PACKAGE_DIR = Path(__file__).resolve().parent

DEBUG = conf.env_bool("MIARA_DEBUG", False)
SECRET_KEY = conf.secret_key()
ALLOWED_HOSTS = conf.env_list("MIARA_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = conf.env_list("MIARA_CSRF_TRUSTED_ORIGINS", "")

_database_url = conf.env_str("MIARA_DATABASE_URL", "sqlite:///var/miara.sqlite3")
if _database_url.startswith("sqlite:///") and not _database_url.startswith("sqlite:////"):
    # Relative to the working directory, as contracts.md says; make sure var/ exists.
    Path(_database_url.removeprefix("sqlite:///")).resolve().parent.mkdir(
        parents=True, exist_ok=True
    )
DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets pages read while a load or compute writes; the timeout waits for locks.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        # A 256 MB page cache and in-memory temporary tables: with the default 2 MB cache,
        # national loads rewrote index pages from disk over and over.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA cache_size=-262144; PRAGMA temp_store=MEMORY;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Serves the API docs page's Swagger assets from the installed package, never a CDN.
    "ninja",
    "axes",
    "miara.presentation",
    "miara.accounts",
    "miara.units",
    "miara.catalogue",
    "miara.collection",
    "miara.analytics",
    "miara.reports",
    "miara.processes",
    "miara.targets",
    "miara.improvement",
    "miara.publication",
    "miara.practices",
    "miara.assurance",
    "miara.efficiency",
    "miara.public",
    "miara.web",
    "miara.api",
]

MIDDLEWARE = [
    "miara.web.middleware.ServerTimingMiddleware",
    "miara.lib.memo.RequestMemoMiddleware",
    "miara.web.middleware.CompressionMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "miara.web.middleware.NulGuardMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out log-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "miara.urls"
WSGI_APPLICATION = "miara.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# Password guessing (django-axes, miara.accounts.throttle): after LIMIT failed log-ins an
# account, and separately an address, is locked for the cool-off; the login page and the
# admin's login alike. Failures count for the cool-off time, so a slow guesser is
# throttled too. A success does not reset the count: an attacker with an account of their
# own could otherwise clear their address's count between guesses.
AUTHENTICATION_BACKENDS = [
    "miara.accounts.throttle.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
_lock_by = [
    parameter
    for parameter, wanted in (
        ("username", conf.env_bool("MIARA_LOGIN_LOCK_BY_ACCOUNT", True)),
        ("ip_address", conf.env_bool("MIARA_LOGIN_LOCK_BY_ADDRESS", True)),
    )
    if wanted
]
AXES_ENABLED = bool(_lock_by)
AXES_LOCKOUT_PARAMETERS = _lock_by or ["ip_address"]
AXES_FAILURE_LIMIT = conf.env_int("MIARA_LOGIN_FAILURE_LIMIT", 10, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=conf.env_int("MIARA_LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_RESET_ON_SUCCESS = False
AXES_DISABLE_ACCESS_LOG = True  # successful log-ins need no table of their own
AXES_CLIENT_IP_CALLABLE = "miara.accounts.throttle.client_address"
AXES_LOCKOUT_CALLABLE = "miara.accounts.throttle.locked_out"
AXES_VERBOSE = False
# Addresses (or networks) of reverse proxies whose X-Forwarded-For is believed.
TRUSTED_PROXIES = conf.env_list("MIARA_TRUSTED_PROXIES", "")

# The password policy, applied wherever a password is chosen: change, reset, invitation,
# `miara user add --password`. The demo's published password meets it too.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Links that set a password (reset e-mails, invitations) work for this many days.
PASSWORD_RESET_TIMEOUT = conf.env_int("MIARA_PASSWORD_LINK_DAYS", 3, minimum=1) * 24 * 3600

LANGUAGE_CODE = conf.env_str("MIARA_LANGUAGE", "en")
LANGUAGES = [("pl", _("Polish")), ("cs", _("Czech")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
# Dates as offices write them: 03.12.2026 in Polish and Czech, 3 Dec 2026 in English.
FORMAT_MODULE_PATH = ["miara.formats"]
USE_I18N = True
TIME_ZONE = conf.env_str("MIARA_TIME_ZONE", "Europe/Warsaw")
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = conf.var_dir() / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# Serve app static files straight from the installed package: no collectstatic step is
# needed for `make demo`, and nothing is ever fetched from a CDN.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = conf.env_bool("MIARA_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Behind HTTPS (MIARA_SECURE_COOKIES) browsers are told to use nothing else for a year.
SECURE_HSTS_SECONDS = conf.env_int("MIARA_HSTS_SECONDS", 31_536_000 if SESSION_COOKIE_SECURE else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = False  # an office's other hosts are not ours to bind
# Only what miara serves itself runs in a page: no inline or foreign scripts, so injected
# markup cannot execute. Styles may be inline (progress bars set a width, Vega's SVG and
# its embed stylesheet carry style attributes); images may be data: URIs (Vega's marks).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# The Server-Timing header (the application's time per response) for load measurements
# (benchmarks/pages.py); off by default, as it tells anyone how much work a request caused.
SERVER_TIMING = conf.env_bool("MIARA_SERVER_TIMING", False)

# Caching (docs/architecture.md, "Caching"). Django's cache holds plain Python values
# (dicts, tuples, lists; never Polars frames) keyed by what they were computed from, so an
# entry is never stale and nothing is invalidated across processes: each process's memory
# by default, Redis (shared by every worker and machine) when MIARA_CACHE_URL names one.
#
# `pages`: rendered parts and ranked rows of the benchmark pages, kept in each server
# process's memory and not pickled (miara.lib.memo: a national group's rows are read back
# in microseconds), for PAGE_CACHE_SECONDS, keyed by the result sets they show, so new
# results are never served from an old entry; the catalogue and unit names in them are
# at most that many seconds old. 0 turns it off.
PAGE_CACHE_SECONDS = conf.env_int("MIARA_PAGE_CACHE_SECONDS", 300)
CACHES = {
    "default": conf.cache_from_url("MIARA_CACHE_URL", conf.env_str("MIARA_CACHE_URL", "")),
    "pages": {
        "BACKEND": "miara.lib.memo.ProcessMemoryCache",
        "LOCATION": "pages",
        "TIMEOUT": PAGE_CACHE_SECONDS,
        "OPTIONS": {"MAX_ENTRIES": 256},
    },
}

# The public site (miara.public): rendered pages and downloads are kept in the default cache
# for PUBLIC_CACHE_SECONDS, keyed by what is public now (publication.selectors.public_stamp),
# the catalogue, the language and the day, so a publication or a retraction is never served
# from an old entry; 0 turns the cache off. Browsers and proxies may keep a public page for
# PUBLIC_MAX_AGE seconds, then ask again with its ETag (a 304 costs a few queries).
PUBLIC_CACHE_SECONDS = conf.env_int("MIARA_PUBLIC_CACHE_SECONDS", 3600)
PUBLIC_MAX_AGE = conf.env_int("MIARA_PUBLIC_MAX_AGE", 300)
# The licence of everything the public site publishes, named on every page and download.
PUBLIC_LICENCE = conf.env_str("MIARA_PUBLIC_LICENCE", "CC BY 4.0")
PUBLIC_LICENCE_URL = conf.env_str(
    "MIARA_PUBLIC_LICENCE_URL", "https://creativecommons.org/licenses/by/4.0/"
)

# Reports (PDF, Excel) are built by a background thread of the server (miara.reports.runner).
REPORTS_IN_BACKGROUND = conf.env_bool("MIARA_REPORTS_IN_BACKGROUND", True)
# A finished report's file is removed this many days after it was made (the job and its
# audit entry stay; the report can be requested again).
REPORTS_KEEP_DAYS = conf.env_int("MIARA_REPORTS_KEEP_DAYS", 30, minimum=1)
# Uploaded workbooks (the Excel questionnaire): checked while they are inflated, before
# any reader sees them (miara.fileio.workbooks). The command line has its own limits.
UPLOAD_MAX_ROWS = conf.env_int("MIARA_UPLOAD_MAX_ROWS", 10_000, minimum=1)
UPLOAD_MAX_UNCOMPRESSED_MB = conf.env_int("MIARA_UPLOAD_MAX_UNCOMPRESSED_MB", 50, minimum=1)
# A good practice's attachment (practices/attachments.py); its public pages carry the
# public site's licence (MIARA_PUBLIC_LICENCE).
PRACTICE_ATTACHMENT_MAX_MB = conf.env_int("MIARA_PRACTICE_ATTACHMENT_MAX_MB", 10, minimum=1)
# Evidence attached to audits and findings (miara.assurance.attachments): the largest file
# accepted, in megabytes; files are kept under var/assurance/.
ATTACHMENT_MAX_MB = conf.env_int("MIARA_ATTACHMENT_MAX_MB", 10, minimum=1)

# E-mail (password resets, invitations, reminders): printed on the console unless an SMTP
# server is named; MIARA_EMAIL_BACKEND overrides the choice (tests, other transports).
EMAIL_HOST = conf.env_str("MIARA_EMAIL_HOST", "")
EMAIL_PORT = conf.env_int("MIARA_EMAIL_PORT", 587, minimum=1)
EMAIL_HOST_USER = conf.env_str("MIARA_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = conf.env_str("MIARA_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = conf.env_bool("MIARA_EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = conf.env_str("MIARA_DEFAULT_FROM_EMAIL", "miara <miara@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_BACKEND = conf.env_str(
    "MIARA_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": conf.env_str("MIARA_LOG_LEVEL", "WARNING")},
}
