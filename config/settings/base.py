"""Settings shared by every environment, read from the environment.

With nothing set the project runs on an embedded default (SQLite and Celery's
filesystem transport) so a newcomer sees it work without any server; with
DATABASE_URL and REDIS_URL it uses PostgreSQL and Redis.
"""

from datetime import timedelta
from ipaddress import ip_network
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "config.apps.OperatorAdminConfig",  # django.contrib.admin, for superusers only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt",
    # Revoked refresh tokens (sign-out) and the list of those issued (patients.services.sessions).
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from our static files: /api/docs/ works offline
    "corsheaders",
    "django_celery_beat",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",  # one-time backup codes
    "django_htmx",
    # The apps, in the order the data flows (README, "Layout"):
    "protocols",
    "patients",
    "rehab.logs",
    "rehab.care",
    "rehab.alerts",
    "rehab.rules",
    "rehab.intake",
    "rehab.reminders",
    "rehab.records",
    "rehab.billing",
    "rehab.exchange",
    "rehab.jobs",
    "rehab.dashboard",
]

MIDDLEWARE = [
    # Outermost: every /api/ error in the contract's JSON shape, even those Django renders itself.
    "config.middleware.ApiErrorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before anything that answers on its own, as django-cors-headers asks.
    "corsheaders.middleware.CorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise: static files keep their caching, everything Django renders is no-store.
    "config.middleware.NoStoreMiddleware",
    # BROWSER_MIDDLEWARE, for every request but the API's (config.browser). Above CommonMiddleware, as
    # sessions were: the answer Common makes itself (a redirect to the URL with its slash) keeps their cookies.
    "config.browser.BrowserOnlyMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into a response.
    "axes.middleware.AxesMiddleware",
]

# The dashboard's and the admin's: they sign in with a session. The API signs in with a token.
BROWSER_MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session passed the second factor.
    "django_otp.middleware.OTPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Ends a dashboard session idle for DASHBOARD_IDLE_MINUTES; background polls do not count.
    "rehab.dashboard.idle.IdleSessionMiddleware",
]

# The admin's and CSRF's middlewares, which these look for in MIDDLEWARE, are in BROWSER_MIDDLEWARE:
# config.E001 checks them there (config.browser).
SILENCED_SYSTEM_CHECKS = ["admin.E408", "admin.E409", "admin.E410", "security.W003"]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                # The top bar's count of open urgent/emergency alerts, on every dashboard page.
                "rehab.dashboard.context_processors.open_urgent_count",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True


def postgresql_tuned(database: dict) -> dict:
    """A PostgreSQL database through config.db.postgresql; any other as it is.

    That backend pings a persistent connection only after it sat idle, and prepares the phone's hot
    statements once they have run DATABASE_PREPARE_THRESHOLD times on a connection (5, psycopg's own
    default; "off" for a pooler that cannot keep prepared statements: config/db/prepared.py).
    """
    if database["ENGINE"] != "django.db.backends.postgresql":
        return database
    threshold = env.str("DATABASE_PREPARE_THRESHOLD", default="5")
    options = {**database.get("OPTIONS", {}), "prepare_threshold": None if threshold == "off" else int(threshold)}
    return {**database, "ENGINE": "config.db.postgresql", "OPTIONS": options}


DATABASES["default"] = postgresql_tuned(DATABASES["default"])
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "patients.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"  # stored instants are UTC; a patient's dates use the patient's zone
USE_I18N = True
USE_TZ = True

# The largest sync batch the schema allows (500 items of each kind, 2,000-character notes) is
# several megabytes once notes are not ASCII; Django's default of 2.5 MB would refuse it.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("REQUEST_BODY_MAX_MB", default=12) * 2**20

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

# --- Redis and Celery -------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")

if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # Reminders are rows swept by beat, never long ETAs, so an hour is
        # ample; a task unacknowledged this long is redelivered.
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
else:
    # filesystem:// works across processes (web, worker, beat); memory:// does not.
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
# Rate limits count in their own alias (config.api.throttling): Redis when REDIS_URL is set.
CACHES["throttles"] = CACHES["default"]

CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_TASK_DEFAULT_QUEUE = "default"
# Urgent work (safety alerts, escalations, clinic webhooks) has its own queue
# so it never waits behind a bulk reminder fan-out.
CELERY_TASK_ROUTES = {
    "rehab.tasks.deliver_*": {"queue": "urgent"},
    "rehab.tasks.escalate_*": {"queue": "urgent"},
    "rehab.tasks.send_reminders*": {"queue": "bulk"},
    "rehab.tasks.plan_reminders*": {"queue": "bulk"},
    "rehab.tasks.bulk_export*": {"queue": "bulk"},
}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "UTC"
# What beat runs, and when: config/settings/beat.py.
from .beat import CELERY_BEAT_SCHEDULE as CELERY_BEAT_SCHEDULE  # noqa: E402

# --- REST framework, JWT, schema ---------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # simplejwt's checks, with the patient read in the user's query (and their enrolments cached).
        "patients.api.authentication.JWTPatientAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "config.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    # Documents each operation's error responses in the one error shape, a throttle's 429 too.
    "DEFAULT_SCHEMA_CLASS": "config.api.throttled_schema.ThrottleAwareAutoSchema",
    # Per sign-in; the endpoints nobody is signed in to set their own, per address (config.api.throttling).
    "DEFAULT_THROTTLE_CLASSES": ["config.api.throttling.SignedInThrottle", "config.api.throttling.SyncThrottle"],
    "EXCEPTION_HANDLER": "config.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=30)),
    "SIGNING_KEY": env("JWT_SIGNING_KEY", default="") or SECRET_KEY,
    "UPDATE_LAST_LOGIN": True,
    # Tokens carry a hash of the password hash: a reset sign-in (a patient activating a
    # new code after losing the phone) ends every token issued before it.
    "CHECK_REVOKE_TOKEN": True,
}
# A refresh token is exchanged for a new pair and stops working, but may be exchanged once more
# this long after, for a phone whose answer was lost (patients.services.sessions).
JWT_REFRESH_GRACE_SECONDS = env.int("JWT_REFRESH_GRACE_SECONDS", default=30)

# The FHIR base of canonical URLs and fullUrls (`https://host/api/v1/fhir`); unset: the request's own host.
FHIR_BASE_URL = env("FHIR_BASE_URL", default="")
# FHIR Bulk Data files: written through this storage alias (STORAGES; "default" is files under
# MEDIA_ROOT), deleted this many days after the export finished.
BULK_EXPORT_STORAGE = env("BULK_EXPORT_STORAGE", default="default")
BULK_EXPORT_DAYS = env.int("BULK_EXPORT_DAYS", default=7)
MEDIA_ROOT = env("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media"))

SPECTACULAR_SETTINGS = {
    "TITLE": "Achilles rehabilitation tracker API",
    "DESCRIPTION": "Patients log and read their plan; physiotherapists review; clinics receive alerts.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # From drf-spectacular-sidecar's static files, not a CDN: the docs work on a closed network.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.api.schema.blank_strings_any_of",
        "rehab.exchange.api.schema.fhir_operation_paths",
    ],
    "ENUM_NAME_OVERRIDES": {
        "SymptomEnum": "protocols.definition.SYMPTOMS",
        "TierEnum": "protocols.definition.TIERS",
        "AlertKindEnum": "rehab.alerts.models.Alert.Kind",
        "AlertStatusEnum": "rehab.alerts.models.Alert.Status",
        "AlertSeverityEnum": "rehab.alerts.models.Alert.Severity",
        "ClinicalEventKindEnum": "rehab.care.models.ClinicalEvent.Kind",
        "MedicationKindEnum": "rehab.logs.models.MedicationLog.Kind",
        "PatientStatusEnum": "patients.models.Patient.Status",
        "MilestoneStatusEnum": "rehab.care.models.Milestone.Status",
    },
}

# --- Browser apps on other origins (django-cors-headers) ---------------------
# Only the origins listed (scheme://host[:port]) may call the API from a browser; none by default.
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/"
# Tokens travel in the Authorization header, never in cookies: no credentials mode.
CORS_ALLOW_CREDENTIALS = False
CORS_EXPOSE_HEADERS = ["Retry-After"]  # a locked-out sign-in says when to try again

# --- The client's address behind proxies (config.client_address) -------------
# X-Forwarded-For is read only through trusted hops: the nearest TRUSTED_PROXY_COUNT of them, or
# those whose address is in TRUSTED_PROXY_NETWORKS (CIDRs). Neither by default: the header is
# ignored and the client is the connection's peer. docs/security.md, "Behind a proxy".
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
TRUSTED_PROXY_NETWORKS = env.list("TRUSTED_PROXY_NETWORKS", default=[])
for _network in TRUSTED_PROXY_NETWORKS:  # a typo fails at start-up, not at the first request
    ip_network(_network.strip(), strict=False)

# --- Rate limits (config.api.throttling): "<requests>/<s, min, h or day>" ------
# Far above what a phone or a clinician's browser does; a burst over them is a 429 `throttled`.
THROTTLE_USER = env("THROTTLE_USER", default="300/min")  # any signed-in request, per sign-in
THROTTLE_SYNC = env("THROTTLE_SYNC", default="30/min")  # a phone's sync, per sign-in
THROTTLE_ACTIVATION = env("THROTTLE_ACTIVATION", default="10/min")  # activation tries, per address
THROTTLE_SIGN_IN = env("THROTTLE_SIGN_IN", default="30/min")  # sign-ins across usernames, per address
THROTTLE_REFRESH = env("THROTTLE_REFRESH", default="60/min")  # refreshes and sign-outs, per address

# --- Login lock-out (django-axes) -------------------------------------------
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
# A lock-out answers 429 with Retry-After: `locked_out` in the API's error shape on /api/, a page on the web.
AXES_LOCKOUT_CALLABLE = "rehab.dashboard.auth.lockout.lockout_response"
# The lock-out keys on the client's address as the throttles and the audit trail read it.
AXES_CLIENT_IP_CALLABLE = "config.client_address.client_address"
# Quiet start-up banner: every management command would print it to stderr.
AXES_VERBOSE = env.bool("AXES_VERBOSE", default=False)

# --- The web dashboard (rehab.dashboard): staff sessions, separate from the phone's tokens ---
LOGIN_URL = "dashboard:sign-in"
LOGIN_REDIRECT_URL = "dashboard:patients"
# A session with no request of the person's own for this long ends (polls do not count).
DASHBOARD_IDLE_MINUTES = env.int("DASHBOARD_IDLE_MINUTES", default=30)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# The name authenticator apps show next to the code.
OTP_TOTP_ISSUER = "Achilles rehab"

# --- Product settings --------------------------------------------------------
ACTIVATION_CODE_DAYS = env.int("ACTIVATION_CODE_DAYS", default=14)
# The app link a new patient's QR code opens; `{code}` becomes their activation code.
ACTIVATION_LINK_TEMPLATE = env("ACTIVATION_LINK_TEMPLATE", default="rehab://activate?code={code}")
# Production refuses webhook URLs that are not https or that resolve to
# loopback/private addresses; local and test settings allow them.
WEBHOOK_ALLOW_PRIVATE = env.bool("WEBHOOK_ALLOW_PRIVATE", default=True)
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)
PUSH_BACKEND = env("PUSH_BACKEND", default="console")  # console, memory, fcm or apns
PUSH_TIMEOUT_SECONDS = env.float("PUSH_TIMEOUT_SECONDS", default=10.0)
FCM_SERVICE_ACCOUNT_JSON = env("FCM_SERVICE_ACCOUNT_JSON", default="")
APNS_URL = env("APNS_URL", default="https://api.push.apple.com")
APNS_TOPIC = env("APNS_TOPIC", default="")
APNS_TEAM_ID = env("APNS_TEAM_ID", default="")
APNS_KEY_ID = env("APNS_KEY_ID", default="")
APNS_PRIVATE_KEY = env("APNS_PRIVATE_KEY", default="")
# A delivery left "sending" with no heartbeat for this long belongs to a worker
# that died, and is sent again; a live worker renews its claims while it sends.
# Urgent and emergency ones wait less (an emergency escalates after 15 minutes;
# the sweep runs every minute), and never longer than routine ones.
DELIVERY_CLAIM_TIMEOUT_SECONDS = env.int("DELIVERY_CLAIM_TIMEOUT_SECONDS", default=600)
DELIVERY_URGENT_CLAIM_TIMEOUT_SECONDS = env.int("DELIVERY_URGENT_CLAIM_TIMEOUT_SECONDS", default=60)
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="rehab@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # runserver's request lines, without the query string (patients' names in ?search=); gunicorn's
    # access log has its own logger class (config.access_log.GunicornLogger).
    "filters": {"without_query": {"()": "config.access_log.RunserverQueryFilter"}},
    "loggers": {
        "django.server": {"handlers": ["console"], "filters": ["without_query"], "level": "INFO", "propagate": False}
    },
}
