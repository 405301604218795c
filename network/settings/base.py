"""Settings shared by every environment, read from environment variables.

Safe by default: DEBUG is off unless asked, the secret key has no default here, and every
external service is optional (SQLite and in-process tasks when none is configured).
"""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
# Required in production (see production.py); development and test settings give their own.
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

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
    "django_filters",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    # Project apps, lowest layer first: imports point up this list, never down.
    "accounts",
    "infra",
    "enti",
    "progetti",
    "volontari",
    "pubblico",
    "monitoraggio",
    "adesioni",
    "network",
    "dati_esempio",
]

MIDDLEWARE = [
    "network.middleware.LimiteCorpoMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "network.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "network.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "network.middleware.UserSessionsMiddleware",
    "network.middleware.RequireMFAMiddleware",
    "network.middleware.PolicyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "network.urls"
WSGI_APPLICATION = "network.wsgi.application"

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
                "network.navigazione.contesto",
            ],
        },
    },
]

# Forms render with Bootstrap Italia markup (templates/forms/, templates/django/forms/).
FORM_RENDERER = "network.forms_renderer.BootstrapItaliaRenderer"

# Database: SQLite in the project folder unless DATABASE_URL names another (PostgreSQL
# through psycopg 3 in production and in CI).
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DJANGO_CONN_MAX_AGE", default=0))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite serves several signed-in people at once (allauth's session list writes on every
    # signed-in request): WAL lets readers go on while one writes; every transaction that may
    # write takes the write lock when it begins (IMMEDIATE), so two never both read and then
    # fail to upgrade ("database is locked" at once, which no timeout helps); a writer waits
    # up to `timeout` seconds for the lock instead of failing. tests/network/test_sqlite_concorrenza.py
    # drives 24 signed-in clients against the served portal.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": env.int("DJANGO_SQLITE_TIMEOUT", default=20),
        }
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env.bool("DJANGO_PG_JIT_OFF", default=True):
    # PostgreSQL's JIT compiles any plan its cost model calls expensive: on the catalogue's
    # query at national scale it spent 50 ms compiling a 75 ms query. Short web queries never
    # win it back (docs/benchmarks.md). Behind pgbouncer, set DJANGO_PG_JIT_OFF=0 and
    # `ALTER DATABASE ... SET jit = off` instead (docs/deploy.md).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "home"

# Accounts (django-allauth): e-mail only, verified; nobody signs up on their own, people
# join by invitation (adesioni) or by a comune's access request.
ACCOUNT_ADAPTER = "network.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_PRESERVE_USERNAME_CASING = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Rete Servizio Civile] "
# The client's IP address, for the sign-in throttling and the audit log (accounts.audit.client_ip):
# the header the trusted reverse proxy overwrites with it (nginx: `proxy_set_header X-Real-IP
# $remote_addr;`), or, when empty, the connection's address. X-Forwarded-For is never trusted.
CLIENT_IP_HEADER = env.str("DJANGO_CLIENT_IP_HEADER", default="")
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = CLIENT_IP_HEADER or None
ALLAUTH_TRUSTED_PROXY_COUNT = 0
ACCOUNT_RATE_LIMITS = {
    # Failed sign-ins (network.adapters.AccountAdapter, docs/deploy.md): 5 in 5 minutes for one
    # address from one client IP ("key" is address and IP), 10 a minute from one client IP
    # whatever the address, and 30 in an hour for one address from anywhere: a third party
    # who types wrong passwords for someone blocks only their own IP, unless they use many.
    "login_failed": "10/m/ip,5/300s/key",
    "login_failed_address": "30/h/key",
    "login": "30/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    # The portal's own flows.
    "accept_invitation": "20/m/ip,10/h/key",
    "send_invitation": "30/h/user",
    "request_access": "5/h/ip",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Rete Servizio Civile"
# One 30-second step either side: phones' clocks drift (RFC 6238, section 5.2).
MFA_TOTP_TOLERANCE = 1
USERSESSIONS_TRACK_ACTIVITY = True
# "Last seen" of a signed-in device is recorded at most this often per session and client
# (network.middleware.UserSessionsMiddleware); a new session, address or browser at once.
USERSESSIONS_ATTIVITA_SECONDI = env.int("DJANGO_USERSESSIONS_ATTIVITA_SECONDI", default=60)

# Invitations are single use and expire after this many days.
INVITO_VALIDITA_GIORNI = env.int("INVITO_VALIDITA_GIORNI", default=7)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "accounts.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Cache and task queue: Redis when REDIS_URL is set, otherwise local memory and tasks run
# in-process, so that the portal can be tried with no server at all. The Redis cache survives
# an outage of Redis (infra.cache: reads miss, writes are skipped); sessions live in the
# database (SESSION_ENGINE below), never in Redis.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "infra.cache.RedisTollerante",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("DJANGO_CACHE_PREFIX", default="scu"),
            "OPTIONS": {
                "socket_connect_timeout": env.float("REDIS_CONNECT_TIMEOUT", default=0.5),
                "socket_timeout": env.float("REDIS_TIMEOUT", default=1.0),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
# In-process tasks run after commit on a thread of their own, so that the request that queued
# one (a report's order) answers at once (infra.outbox.in_processo).
TASK_IN_PROCESSO_SU_THREAD = True
# One Redis can carry several portals (or test runs), each on its own queue.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_DEFAULT_QUEUE", default="celery")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Europe/Rome"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A task taken by a worker that dies (acks_late: never acknowledged) goes back to the queue
# after this many seconds (longer than any report takes); workers look for such tasks every
# few seconds (kombu's default would be every 100).
_VISIBILITA = env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": _VISIBILITA,
    "unacked_restore_interval": max(1, min(10, _VISIBILITA // 2)),
    "unacked_restore_throttle": 1,
}

# Internationalisation: Italian by default, English available; English msgids.
LANGUAGE_CODE = "it"
LANGUAGES = [("it", _("Italian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Rome"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "/static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files browsers ask for at the site's root (favicon.ico), served by whitenoise.
WHITENOISE_ROOT = BASE_DIR / "static" / "radice"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "media")
# The open-data files, rebuilt when their data change (pubblico.opendata); public content
# only. Shared by the web and worker processes (in docker-compose.yml, the media volume).
OPENDATA_ROOT = env.str("DJANGO_OPENDATA_ROOT", default=str(Path(str(MEDIA_ROOT)) / "opendata"))
OPENDATA_SU_MODIFICA = True

EMAIL_BACKEND = env.str("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="Rete Servizio Civile <noreply@localhost>")

SECURE_CONTENT_TYPE_NOSNIFF = True
# Sessions in the database, not in the cache: signed-in people stay signed in, and the
# register still saves, while Redis is down.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
# No script of the portal reads a cookie: htmx posts the form's own CSRF field.
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
# The full address (paths and queries such as ?mese= or a search) goes only to the portal
# itself; other sites get no Referer at all. strict-origin-when-cross-origin would still
# tell them the portal's origin, which no external link needs.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content-Security-Policy, set by network.middleware.SecurityHeadersMiddleware on every
# response: scripts and styles only from the portal's own files (no inline <script>, no
# style="..." attributes, no <style> elements: a test greps the templates and a browser test
# listens for violations on every page); data: images for allauth's TOTP QR code and Bootstrap
# Italia's CSS icons. Same shape as Django 6's SECURE_CSP, so that its middleware can take over.
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
    "base-uri": ["'self'"],
    "object-src": ["'none'"],
}
# Browser features the portal never uses, refused to it and to anything it could embed.
PERMISSIONS_POLICY = {feature: [] for feature in ("camera", "microphone", "geolocation", "payment", "usb")}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"redact_secrets": {"()": "network.logfilters.RedactSecretsFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact_secrets"]}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    # WeasyPrint and fontTools narrate every step at INFO.
    "loggers": {name: {"level": "WARNING"} for name in ("weasyprint", "fontTools")},
}

# How long the public counters stay in the cache: the key carries the day, and every
# committed change that moves them rewrites it, so this is only a safety net.
COUNTERS_CACHE_SECONDS = 26 * 3600
# Seconds each worker process keeps the hottest public reads (counters, latest news, the
# anonymous home page) before asking the shared cache again (infra.memoria); 0 turns it off.
CACHE_LOCALE_SECONDI = env.float("DJANGO_CACHE_LOCALE_SECONDI", default=1.0)

# Password of the demo accounts that `seed_demo` creates, set only when DEBUG is on.
DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="demo-servizio-civile")

# Monitoring reports: files are deleted after this many days.
REPORT_CONSERVAZIONE_GIORNI = env.int("REPORT_CONSERVAZIONE_GIORNI", default=365)
# Largest signed monthly sheet accepted (a scan of a few pages), in MB.
FOGLIO_FIRMATO_MAX_MB = env.int("FOGLIO_FIRMATO_MAX_MB", default=20)
# Largest request body, refused (413) from its Content-Length before it is read
# (network.middleware.LimiteCorpoMiddleware): the largest upload plus 1 MB for the form around
# it. Django's own limits stay at their defaults: form fields are read into memory up to
# DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB, files excluded), an uploaded file above
# FILE_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) is streamed to a temporary file. nginx's
# client_max_body_size must not be below this (docs/deploy.md).
RICHIESTA_MAX_BYTES = (FOGLIO_FIRMATO_MAX_MB + 1) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Fields a form may send. The month grid sends about 95 per volunteer (three per day): Django's
# 1,000 refused the whole month of an ente with a dozen volunteers (400 Bad Request); this
# bound still stops a request built to exhaust the parser.
DATA_UPLOAD_MAX_NUMBER_FIELDS = env.int("DJANGO_DATA_UPLOAD_MAX_NUMBER_FIELDS", default=20_000)
# Personal data. A volunteer whose every service ended more than this many years ago is
# pseudonymised by a nightly job (names, tax code, birth data, contacts and free-text notes
# go; every figure stays). DOMAIN.md sets no retention period: five years keep the records a
# body still uses (the annual report on the year before, certificates of service asked for
# later, the Department's checks of the monthly sheets) with a margin; the controller sets
# its own period here, and the privacy page states it.
PSEUDONIMIZZA_DOPO_ANNI = env.int("DJANGO_PSEUDONIMIZZA_DOPO_ANNI", default=5)
# The privacy notice (GDPR art. 13): the controller, how to reach it and its DPO. The
# defaults are placeholders: every deployment sets its own.
PRIVACY_TITOLARE = env.str("DJANGO_PRIVACY_TITOLARE", default="ANCI - Associazione Nazionale Comuni Italiani")
PRIVACY_CONTATTO = env.str("DJANGO_PRIVACY_CONTATTO", default="privacy@rete-servizio-civile.example")
PRIVACY_DPO = env.str("DJANGO_PRIVACY_DPO", default="dpo@rete-servizio-civile.example")
# The daily check flags a volunteer with no day recorded for this many days.
ALLERTA_GIORNI_SENZA_REGISTRAZIONE = env.int("ALLERTA_GIORNI_SENZA_REGISTRAZIONE", default=7)
# /salute/ reports the outbox "degraded" once its oldest waiting task is older than this. A
# running worker sends what waits each time it (re)connects to the broker and every
# OUTBOX_RIPROVA_SECONDI (network.celery.SvuotaOutbox), beat or no beat.
OUTBOX_ATTESA_MAX_SECONDI = env.int("OUTBOX_ATTESA_MAX_SECONDI", default=300)
OUTBOX_RIPROVA_SECONDI = env.float("OUTBOX_RIPROVA_SECONDI", default=30.0)
# The portal's address, for every link that leaves the portal (e-mails, calendar feeds):
# never the Host of a request (infra.indirizzi.url_portale).
PORTALE_URL = env.str("PORTALE_URL", default="http://127.0.0.1:8000")
