"""Claimbase settings: one module, driven by environment variables (see README)."""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CLAIMBASE_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def private_var_dir() -> Path:
    """var/ (the secret key, the SQLite database), readable by its owner only when we create it."""
    if not VAR_DIR.exists():
        VAR_DIR.mkdir(parents=True, mode=0o700, exist_ok=True)
        VAR_DIR.chmod(0o700)  # mkdir's mode is reduced by the umask; make it exact
    return VAR_DIR


def load_secret_key() -> str:
    """SECRET_KEY from the environment, else a random key kept in var/ (never in the repo).

    The file is written under a temporary name opened with O_CREAT | O_EXCL and mode 0600,
    so the key is never readable by others, not even for a moment, and then linked into
    place: of two processes starting together, one key wins and both read it whole.
    A server with DEBUG off refuses to start on this key (config/startup.py).
    """
    if key := os.environ.get("SECRET_KEY"):
        return key
    key_file = private_var_dir() / "secret_key"
    if not key_file.exists():
        temporary = key_file.with_name(f".secret_key.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
        try:
            os.link(temporary, key_file)
        except FileExistsError:
            pass  # another process linked its key first: use that one
        finally:
            temporary.unlink()
    if key_file.stat().st_mode & 0o077:
        key_file.chmod(0o600)  # a key file left readable by an older version
    return key_file.read_text().strip()


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = load_secret_key()
# A production server must be given its key (config/startup.py refuses to serve otherwise).
SECRET_KEY_FROM_ENVIRONMENT = bool(os.environ.get("SECRET_KEY"))
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "corsheaders",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "core",
    "sources",
    "claims",
    "reader",
    "accounts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.RejectNulInPathMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    # Before anything reads the database (sessions, users): decides replica or primary.
    "core.routing.ReplicaRoutingMiddleware",
    # Anonymous GETs: public Cache-Control, ETag / Last-Modified, 304 before any view runs.
    "core.http_cache.PublicCacheMiddleware",
    # The admin's and the API's pages: a Content-Security-Policy (scripts: own files only).
    "core.middleware.ContentSecurityPolicyMiddleware",
    # Signed-in users' responses: Cache-Control: private, no-store (the one place).
    "core.middleware.PrivateCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Anonymous reader pages rendered per client address (after the 304s above).
    "core.middleware.ReaderThrottleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
            ],
        },
    },
]

# SQLite under var/ unless DATABASE_URL names another database (PostgreSQL in production).
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'claimbase.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    private_var_dir()
    # Writers wait for each other instead of failing at once with "database is locked".
    DATABASES["default"]["OPTIONS"] = {"timeout": 20}
elif DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must name a PostgreSQL or SQLite database.")
DATABASES["default"]["ATOMIC_REQUESTS"] = True

# Connection pooling (README, "Deployment beyond one machine"). Behind PgBouncer in
# transaction mode (DATABASE_POOLER=pgbouncer) consecutive statements may run on different
# server connections, so nothing may rely on session state: no server-side cursors (a
# streamed export would lose its cursor) and no prepared statements (psycopg prepares a
# query after a few runs). DATABASE_POOL=1 uses psycopg's own pool in each process instead.
DATABASE_POOLER = os.environ.get("DATABASE_POOLER", "").strip().lower()
if DATABASE_POOLER not in {"", "pgbouncer"}:
    raise ImproperlyConfigured("DATABASE_POOLER must be empty or 'pgbouncer'.")


def postgres_options(settings_dict: dict) -> dict:
    """The pooling-related settings of one PostgreSQL alias."""
    if DATABASE_POOLER == "pgbouncer":
        settings_dict["DISABLE_SERVER_SIDE_CURSORS"] = True
        settings_dict.setdefault("OPTIONS", {})["prepare_threshold"] = None
    if env_bool("DATABASE_POOL", False):
        settings_dict["CONN_MAX_AGE"] = 0  # the pool keeps the connections instead
        settings_dict.setdefault("OPTIONS", {})["pool"] = {
            "min_size": int(os.environ.get("DATABASE_POOL_MIN", "2")),
            "max_size": int(os.environ.get("DATABASE_POOL_MAX", "10")),
            "timeout": float(os.environ.get("DATABASE_POOL_TIMEOUT", "10")),
        }
    return settings_dict


if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    postgres_options(DATABASES["default"])

# Read replicas: DATABASE_REPLICA_URLS (comma-separated PostgreSQL standbys) become the
# aliases replica1, replica2, ...; core/routing.py sends safe requests' reads to a fit one.
DATABASE_REPLICAS = []
for number, url in enumerate(env_list("DATABASE_REPLICA_URLS", ""), start=1):
    alias = f"replica{number}"
    replica = dj_database_url.parse(
        url, conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")), conn_health_checks=True
    )
    if replica["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_REPLICA_URLS must name PostgreSQL databases.")
    replica.setdefault("OPTIONS", {})["connect_timeout"] = int(
        os.environ.get("REPLICA_CONNECT_TIMEOUT", "2")
    )
    replica["TEST"] = {"MIRROR": "default"}
    DATABASES[alias] = postgres_options(replica)
    DATABASE_REPLICAS.append(alias)
DATABASE_ROUTERS = ["core.routing.PrimaryReplicaRouter"] if DATABASE_REPLICAS else []
REPLICA_MAX_LAG_SECONDS = float(os.environ.get("REPLICA_MAX_LAG_SECONDS", "5"))
REPLICA_CHECK_SECONDS = float(os.environ.get("REPLICA_CHECK_SECONDS", "2"))
# After a write, the same client reads from the primary for this long (a signed cookie).
READ_YOUR_WRITES_SECONDS = int(os.environ.get("READ_YOUR_WRITES_SECONDS", "10"))
# Name the database that answered in a response header (tests and diagnosis only).
DATABASE_ROUTE_HEADER = env_bool("DATABASE_ROUTE_HEADER", False)
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
STATIC_ROOT = VAR_DIR / "static"
# Stored files (snapshots of sources): the file system under var/media by default; any
# Django storage backend (e.g. S3-compatible object storage with django-storages) by
# setting STORAGES["default"] here. They are never served from the site's own origin.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
SNAPSHOT_MAX_BYTES = int(os.environ.get("SNAPSHOT_MAX_BYTES", str(20 * 1024 * 1024)))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Compressed, without a manifest: pages render before (or without) collectstatic.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
private_var_dir()
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Serve static files from the app directories too, so tests and runserver need no collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- Security: safe defaults, HTTPS hardening switched on by the deployment's environment. ---
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", SECURE_SSL_REDIRECT)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", SECURE_SSL_REDIRECT)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", SECURE_HSTS_SECONDS > 0)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# How many proxies the deployment runs behind, each appending to X-Forwarded-For: the admin
# login limit (axes), the reader's limit and the API's throttles (DRF's NUM_PROXIES) all
# count the address the nearest trusted proxy saw (core/client.py). 0: no proxy, the
# header is ignored. Behind the one TLS proxy of the documented deployment, 1.
TRUSTED_PROXY_COUNT = int(
    os.environ.get("TRUSTED_PROXY_COUNT", "1" if env_bool("BEHIND_TLS_PROXY", False) else "0")
)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Messages live in the session (the database), not in a cookie: the admin's one-time
# display of a new API token's secret must never travel back and forth as a cookie.
# The largest request body read into memory (Django's forms, the API's JSON): a document
# body at its limit (1,000,000 characters) fits even JSON-escaped; more is refused (413).
DATA_UPLOAD_MAX_MEMORY_SIZE = 8 * 1024 * 1024
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

# Admin login attempts (django-axes): after ADMIN_LOGIN_FAILURE_LIMIT failures from one
# address, logins from it are refused (429) for ADMIN_LOGIN_COOLOFF_MINUTES. Attempts are
# counted in the database, so every worker sees the same count.
INSTALLED_APPS += ["axes"]
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]  # last, as django-axes requires
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("ADMIN_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("ADMIN_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
AXES_RESET_ON_SUCCESS = True
# Behind the proxy, the client's address is the proxy's X-Forwarded-For entry (core.client).
AXES_CLIENT_IP_CALLABLE = "core.client.client_address"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: its WWW-Authenticate header makes a failed login a 401, not a 403.
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # JSON bounded in size (DATA_UPLOAD_MAX_MEMORY_SIZE) and depth: core/parsers.py.
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("THROTTLE_ANON", "120/min"),
        "user": os.environ.get("THROTTLE_USER", "1200/min"),
        # Anonymous reader pages (core.middleware.ReaderThrottleMiddleware).
        "reader": os.environ.get("THROTTLE_READER", "120/min"),
    },
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.DjangoModelPermissionsOrAnonReadOnly",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "core.filtering.ClaimbaseFilterBackend",  # django-filter, when a filter is named
        # `search`: DRF's plain word match, documented as such beside the ranked `q`.
        "core.search.PlainSearchFilter",
        # OrderingFilter that puts the best matches first when `q` searched (config/search.py).
        "core.search.RankedOrderingFilter",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "core.renderers.FastJSONRenderer",  # DRF's JSON, written by orjson
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.BoundedPageNumberPagination",
    # Every operation gets a summary and a description (core/schema.py).
    "DEFAULT_SCHEMA_CLASS": "core.schema.ClaimbaseAutoSchema",
    "EXCEPTION_HANDLER": "core.api.json_exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    # No validator badge: it would fetch an image from swagger.io (the docs work offline,
    # and the Content-Security-Policy allows nothing from elsewhere).
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "TITLE": "Claimbase API",
    "DESCRIPTION": (
        "Documents, the claims they make, and the sources and counter-sources that bear on them."
    ),
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI assets come from drf-spectacular-sidecar: the docs work with no internet.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        # search_rank and snippet appear only in answers to a search (`q`).
        "core.search.search_hit_fields_optional",
    ],
    "ENUM_NAME_OVERRIDES": {
        "ClaimStatusEnum": "claims.choices.ClaimStatus",
        "CorrectionKindEnum": "claims.choices.CorrectionKind",
    },
}

# Shared state lives in shared services, never in a process another server would need:
# throttle counters, the data version and cached answers in the cache (Redis when REDIS_URL
# is set, shared by every worker and server; else this process's memory, one server only),
# sessions in the database (through the cache when Redis is there), login attempts
# (django-axes) in the database.
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "claimbase"),
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if REDIS_URL
    else "django.contrib.sessions.backends.db"
)

# Anonymous answers may be kept this many seconds by browsers, proxies and CDNs, then are
# revalidated (304 while the data version holds). 0 switches public caching off.
PUBLIC_CACHE_MAX_AGE = int(os.environ.get("PUBLIC_CACHE_MAX_AGE", "60"))
PUBLIC_CACHE_EXCLUDED_PATHS = ["/admin/"]
# The reader's page limit leaves these alone (the API and the admin have their own limits).
CONTENT_SECURITY_POLICY_PATHS = ["/admin/", "/api/"]
READER_THROTTLE_EXCLUDED_PATHS = ["/api/", "/admin/", f"/{STATIC_URL}"]

# Writes to the models of these apps give the data a new version token (core/data_version.py),
# which invalidates the caches of what readers read.
DATA_VERSION_APPS = ["claims", "sources"]
# Facet counts and list totals cached per data version (core/data_version.cached). On by
# default with a shared cache (REDIS_URL) or in development (one process); off otherwise,
# since a per-process cache would keep serving counts another worker's write changed.
# Tests turn it off (their transactions never commit, so the token never moves).
CACHE_DERIVED_DATA = env_bool("CACHE_DERIVED_DATA", bool(REDIS_URL) or DEBUG)

# CORS is closed unless origins are listed (comma-separated, e.g. https://tools.example.org).
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS", "")
CORS_URLS_REGEX = r"^/api/.*$"
CORS_EXPOSE_HEADERS = ["ETag"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
