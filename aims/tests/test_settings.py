"""Settings from the environment: typed readers, secrets from files, and start-up failures that name the variable."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from aims.env import env_bool, env_int, env_list, env_secret, env_str, env_url

REPO_ROOT = Path(__file__).resolve().parents[2]
VAR = "AIMS_TEST_SETTING"


# --- env_bool ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["1", "true", "TRUE", "Yes", "on", " true "])
def test_env_bool_true(monkeypatch, raw):
    monkeypatch.setenv(VAR, raw)

    assert env_bool(VAR, default=False) is True


@pytest.mark.parametrize("raw", ["0", "false", "False", "no", "OFF", ""])
def test_env_bool_false(monkeypatch, raw):
    monkeypatch.setenv(VAR, raw)

    assert env_bool(VAR, default=True) is False


@pytest.mark.parametrize("default", [True, False])
def test_env_bool_unset_gives_default(monkeypatch, default):
    monkeypatch.delenv(VAR, raising=False)

    assert env_bool(VAR, default=default) is default


@pytest.mark.parametrize("raw", ["maybe", "2", "y", "tru", "enabled"])
def test_env_bool_malformed_names_the_variable(monkeypatch, raw):
    monkeypatch.setenv(VAR, raw)

    with pytest.raises(ImproperlyConfigured) as info:
        env_bool(VAR)

    assert VAR in str(info.value)
    assert repr(raw) in str(info.value)


# --- env_int -------------------------------------------------------------------------------------------


def test_env_int(monkeypatch):
    monkeypatch.setenv(VAR, " 42 ")

    assert env_int(VAR, 7) == 42


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_env_int_unset_or_blank_gives_default(monkeypatch, raw):
    if raw is None:
        monkeypatch.delenv(VAR, raising=False)
    else:
        monkeypatch.setenv(VAR, raw)

    assert env_int(VAR, 7) == 7


@pytest.mark.parametrize("raw", ["ten", "1.5", "12abc", "0x10"])
def test_env_int_malformed_names_the_variable(monkeypatch, raw):
    monkeypatch.setenv(VAR, raw)

    with pytest.raises(ImproperlyConfigured) as info:
        env_int(VAR, 7)

    assert VAR in str(info.value)
    assert "whole number" in str(info.value)


def test_env_int_below_minimum_names_the_variable(monkeypatch):
    monkeypatch.setenv(VAR, "-1")

    with pytest.raises(ImproperlyConfigured) as info:
        env_int(VAR, 60, minimum=0)

    assert VAR in str(info.value)
    assert "at least 0" in str(info.value)


def test_env_int_at_minimum_is_fine(monkeypatch):
    monkeypatch.setenv(VAR, "0")

    assert env_int(VAR, 60, minimum=0) == 0


# --- env_list and env_str ------------------------------------------------------------------------------


def test_env_list_splits_and_trims(monkeypatch):
    monkeypatch.setenv(VAR, " aims.example.org, ,localhost ,")

    assert env_list(VAR, ["x"]) == ["aims.example.org", "localhost"]


def test_env_list_empty_value_means_empty_list(monkeypatch):
    monkeypatch.setenv(VAR, "")

    assert env_list(VAR, ["default"]) == []


def test_env_list_default_is_a_copy(monkeypatch):
    monkeypatch.delenv(VAR, raising=False)
    default = ["a"]

    result = env_list(VAR, default)
    result.append("b")

    assert default == ["a"]


def test_env_str(monkeypatch):
    monkeypatch.delenv(VAR, raising=False)
    assert env_str(VAR, "fallback") == "fallback"
    monkeypatch.setenv(VAR, "value")
    assert env_str(VAR, "fallback") == "value"


# --- env_secret ----------------------------------------------------------------------------------------


def test_env_secret_from_variable(monkeypatch):
    monkeypatch.delenv(f"{VAR}_FILE", raising=False)
    monkeypatch.setenv(VAR, "s3cret")

    assert env_secret(VAR) == "s3cret"


def test_env_secret_from_file_wins_and_is_stripped(monkeypatch, tmp_path):
    secret_file = tmp_path / "secret"
    secret_file.write_text("from-file\n")
    monkeypatch.setenv(VAR, "from-variable")
    monkeypatch.setenv(f"{VAR}_FILE", str(secret_file))

    assert env_secret(VAR) == "from-file"


def test_env_secret_unreadable_file_names_the_variable(monkeypatch, tmp_path):
    monkeypatch.setenv(f"{VAR}_FILE", str(tmp_path / "missing"))

    with pytest.raises(ImproperlyConfigured) as info:
        env_secret(VAR)

    assert f"{VAR}_FILE" in str(info.value)
    assert "missing" in str(info.value)


def test_env_secret_default(monkeypatch):
    monkeypatch.delenv(VAR, raising=False)
    monkeypatch.delenv(f"{VAR}_FILE", raising=False)

    assert env_secret(VAR, "dflt") == "dflt"


# --- env_url -------------------------------------------------------------------------------------------


def test_env_url_accepts_listed_schemes(monkeypatch):
    monkeypatch.delenv(f"{VAR}_FILE", raising=False)
    monkeypatch.setenv(VAR, " postgres://u:p@db:5432/aims ")

    assert env_url(VAR, schemes=("postgres", "sqlite")) == "postgres://u:p@db:5432/aims"


def test_env_url_unset_is_empty(monkeypatch):
    monkeypatch.delenv(VAR, raising=False)
    monkeypatch.delenv(f"{VAR}_FILE", raising=False)

    assert env_url(VAR, schemes=("redis",)) == ""


@pytest.mark.parametrize("raw", ["mysql://x", "http://redis:6379", "localhost:6379", "redis"])
def test_env_url_wrong_scheme_names_the_variable(monkeypatch, raw):
    monkeypatch.delenv(f"{VAR}_FILE", raising=False)
    monkeypatch.setenv(VAR, raw)

    with pytest.raises(ImproperlyConfigured) as info:
        env_url(VAR, schemes=("redis", "rediss"))

    assert VAR in str(info.value)
    assert "redis://" in str(info.value)


def test_env_url_from_file_does_not_leak_credentials_in_errors(monkeypatch, tmp_path):
    url_file = tmp_path / "db_url"
    url_file.write_text("mysql://admin:hunter2@db/aims")
    monkeypatch.setenv(f"{VAR}_FILE", str(url_file))

    with pytest.raises(ImproperlyConfigured) as info:
        env_url(VAR, schemes=("postgres",))

    assert VAR in str(info.value)
    assert "hunter2" not in str(info.value)


# --- Loading the real settings module in a fresh interpreter -------------------------------------------

_STRIPPED = (
    "DJANGO_SETTINGS_MODULE",
    "AIMS_TESTING",
    "DEBUG",
    "SECRET_KEY",
    "SECRET_KEY_FILE",
    "DATABASE_URL",
    "DATABASE_URL_FILE",
    "REDIS_URL",
    "REDIS_URL_FILE",
    "EMAIL_URL",
    "EMAIL_URL_FILE",
    "DB_CONN_MAX_AGE",
    "DB_PREPARE_THRESHOLD",
    "ALLOWED_HOSTS",
    "STATIC_ROOT",
    "MEDIA_ROOT",
    "SECURE_SSL_REDIRECT",
    "BEHIND_TLS_PROXY",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)

_PRINT_SETTINGS = """
import json, django
django.setup()
from django.conf import settings
db = settings.DATABASES["default"]
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "ENGINE": db["ENGINE"],
    "NAME": str(db["NAME"]),
    "HOST": db.get("HOST", ""),
    "CONN_MAX_AGE": db.get("CONN_MAX_AGE"),
    "CONN_HEALTH_CHECKS": db.get("CONN_HEALTH_CHECKS"),
    "PREPARE_THRESHOLD": db.get("OPTIONS", {}).get("prepare_threshold", "unset"),
    "ALLOWED_HOSTS": settings.ALLOWED_HOSTS,
    "SECRET_KEY": settings.SECRET_KEY,
    "SECURE_SSL_REDIRECT": getattr(settings, "SECURE_SSL_REDIRECT", None),
    "SECURE_PROXY_SSL_HEADER": getattr(settings, "SECURE_PROXY_SSL_HEADER", None),
    "CACHE": settings.CACHES["default"]["BACKEND"],
    "BROKER": settings.CELERY_BROKER_URL,
    "MAILER": settings.MAILERS["default"],
}))
"""


def _run_settings(tmp_path, code="import django; django.setup()", **env):
    """Start a new interpreter with ``aims.settings`` and only the given variables set."""
    environment = {key: value for key, value in os.environ.items() if key not in _STRIPPED}
    environment.update(DJANGO_SETTINGS_MODULE="aims.settings", AIMS_DATA_DIR=str(tmp_path / "data"))
    environment.update(env)
    return subprocess.run(  # noqa: S603 — our own interpreter with fixed arguments
        [sys.executable, "-c", code],
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _settings(tmp_path, **env) -> dict:
    result = _run_settings(tmp_path, _PRINT_SETTINGS, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def _fails_naming(result, name: str) -> None:
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    last_line = result.stderr.strip().splitlines()[-1]
    assert name in last_line, last_line


def test_production_without_secret_key_fails_naming_it(tmp_path):
    result = _run_settings(tmp_path, DEBUG="0")

    _fails_naming(result, "SECRET_KEY")


def test_production_with_secret_key_file(tmp_path):
    secret = tmp_path / "secret_key"
    secret.write_text("k" * 50 + "\n")

    settings = _settings(tmp_path, DEBUG="0", SECRET_KEY_FILE=str(secret))

    assert settings["SECRET_KEY"] == "k" * 50
    assert settings["DEBUG"] is False
    assert settings["SECURE_SSL_REDIRECT"] is True


def test_production_with_unreadable_secret_key_file_fails_naming_it(tmp_path):
    result = _run_settings(tmp_path, DEBUG="0", SECRET_KEY_FILE=str(tmp_path / "nope"))

    _fails_naming(result, "SECRET_KEY_FILE")


def test_development_generates_and_keeps_a_secret_key(tmp_path):
    first = _settings(tmp_path, DEBUG="1")
    second = _settings(tmp_path, DEBUG="1")

    assert len(first["SECRET_KEY"]) >= 50
    assert first["SECRET_KEY"] == second["SECRET_KEY"]
    key_file = tmp_path / "data" / "secret_key"
    assert key_file.read_text().strip() == first["SECRET_KEY"]
    assert key_file.stat().st_mode & 0o077 == 0


def test_malformed_debug_fails_naming_it(tmp_path):
    result = _run_settings(tmp_path, DEBUG="maybe", SECRET_KEY="x" * 50)

    _fails_naming(result, "DEBUG")


def test_mysql_database_url_fails_naming_it(tmp_path):
    result = _run_settings(tmp_path, DEBUG="1", DATABASE_URL="mysql://x")

    _fails_naming(result, "DATABASE_URL")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("REDIS_URL", "http://localhost:6379"),
        ("EMAIL_URL", "sendmail://localhost"),
        ("DB_CONN_MAX_AGE", "forever"),
        ("DB_PREPARE_THRESHOLD", "sometimes"),
        ("SESSION_COOKIE_AGE", "10"),
        ("SECURE_SSL_REDIRECT", "perhaps"),
    ],
)
def test_other_malformed_variables_fail_naming_them(tmp_path, name, value):
    env = {"DEBUG": "0", "SECRET_KEY": "x" * 50, name: value}
    if name.startswith("DB_"):
        env["DATABASE_URL"] = "postgres://aims:pw@db.internal:5432/aims"

    result = _run_settings(tmp_path, **env)

    _fails_naming(result, name)


def test_postgres_database_url_uses_persistent_checked_connections(tmp_path):
    settings = _settings(
        tmp_path, DEBUG="0", SECRET_KEY="x" * 50, DATABASE_URL="postgres://aims:pw@db.internal:5432/aims"
    )

    assert settings["ENGINE"] == "aims.db.postgresql"  # Django's, with a health check that needs no round trip
    assert settings["HOST"] == "db.internal"
    assert settings["NAME"] == "aims"
    assert settings["CONN_MAX_AGE"] > 0
    assert settings["CONN_HEALTH_CHECKS"] is True


def test_postgres_connection_age_is_configurable(tmp_path):
    settings = _settings(tmp_path, DEBUG="1", DATABASE_URL="postgresql://aims@db/aims", DB_CONN_MAX_AGE="0")

    assert settings["CONN_MAX_AGE"] == 0
    assert settings["CONN_HEALTH_CHECKS"] is True


def test_postgres_prepares_repeated_api_statements_unless_turned_off(tmp_path):
    url = "postgres://aims:pw@db.internal:5432/aims"

    assert _settings(tmp_path, DEBUG="1", DATABASE_URL=url)["PREPARE_THRESHOLD"] == 1
    assert _settings(tmp_path, DEBUG="1", DATABASE_URL=url, DB_PREPARE_THRESHOLD="5")["PREPARE_THRESHOLD"] == 5
    # Behind PgBouncer in transaction mode: Django's default (no prepared statements) stays.
    assert _settings(tmp_path, DEBUG="1", DATABASE_URL=url, DB_PREPARE_THRESHOLD="off")["PREPARE_THRESHOLD"] == "unset"
    assert _settings(tmp_path, DEBUG="1")["PREPARE_THRESHOLD"] == "unset"  # SQLite


def test_defaults_need_no_services(tmp_path):
    settings = _settings(tmp_path, DEBUG="1")

    assert settings["ENGINE"] == "django.db.backends.sqlite3"
    assert settings["NAME"] == str(tmp_path / "data" / "aims.sqlite3")
    assert settings["CONN_MAX_AGE"] == 0  # Django's default: SQLite needs no persistent connections
    assert settings["CACHE"].endswith("LocMemCache")
    assert settings["BROKER"] == "filesystem://"
    assert (tmp_path / "data" / "broker" / "out").is_dir()
    assert settings["MAILER"]["BACKEND"].endswith("console.EmailBackend")


def test_redis_url_switches_cache_and_broker(tmp_path):
    settings = _settings(tmp_path, DEBUG="1", REDIS_URL="redis://cache.internal:6379/2")

    assert settings["CACHE"].endswith("RedisCache")
    assert settings["BROKER"] == "redis://cache.internal:6379/2"


def test_smtp_email_url(tmp_path):
    settings = _settings(tmp_path, DEBUG="1", EMAIL_URL="smtp+tls://mailer%40example.org:p%2Fw@smtp.example.org:587")

    assert settings["MAILER"]["BACKEND"].endswith("smtp.EmailBackend")
    options = settings["MAILER"]["OPTIONS"]
    assert options["host"] == "smtp.example.org"
    assert options["port"] == 587
    assert options["username"] == "mailer@example.org"
    assert options["password"] == "p/w"
    assert options["use_tls"] is True
    assert options["use_ssl"] is False


def test_email_url_with_a_bad_port_fails_naming_it(tmp_path):
    result = _run_settings(tmp_path, DEBUG="1", EMAIL_URL="smtp://smtp.example.org:twentyfive")

    _fails_naming(result, "EMAIL_URL")


def test_allowed_hosts_and_tls_proxy(tmp_path):
    settings = _settings(
        tmp_path,
        DEBUG="0",
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="aims.example.org,aims.internal",
        BEHIND_TLS_PROXY="1",
    )

    assert settings["ALLOWED_HOSTS"] == ["aims.example.org", "aims.internal"]
    assert settings["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_deploy_check_passes_with_production_settings(tmp_path):
    result = _run_settings(
        tmp_path,
        "import sys; from django.core.management import execute_from_command_line; "
        "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])",
        DEBUG="0",
        SECRET_KEY="a-long-random-production-secret-key-with-enough-entropy-1234567890",
        ALLOWED_HOSTS="aims.example.org",
        EMAIL_URL="smtp+tls://aims:pw@smtp.example.org:587",
    )

    assert result.returncode == 0, result.stderr + result.stdout
