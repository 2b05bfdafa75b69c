"""Settings come from the environment; production values must be given and pass the deploy checks.

Each case starts a fresh Python process, since settings are read once at start.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "k3y-for-the-deploy-check-9f8e7d6c5b4a39281706f5e4d3c2b1a0-ZYXWVUT",
    "ALLOWED_HOSTS": "opencities.example.org",
    "SITE_URL": "https://opencities.example.org",
}
# Reading settings needs no app loading (django.setup() would triple each case's time).
READ_SETTINGS = """
import json
from django.conf import settings as s
db = s.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"], "name": str(db["NAME"]), "host": db.get("HOST"), "port": db.get("PORT"),
    "broker": s.CELERY_BROKER_URL, "backend": s.CELERY_RESULT_BACKEND, "eager": s.CELERY_TASK_ALWAYS_EAGER,
    "email_backend": s.EMAIL_BACKEND, "email_host": getattr(s, "EMAIL_HOST", None),
    "email_port": getattr(s, "EMAIL_PORT", None), "email_user": getattr(s, "EMAIL_HOST_USER", None),
    "email_password": getattr(s, "EMAIL_HOST_PASSWORD", None), "email_tls": getattr(s, "EMAIL_USE_TLS", None),
    "email_path": str(getattr(s, "EMAIL_FILE_PATH", "")), "admins": s.ADMINS, "demo": s.DEMO_MODE,
    "debug": s.DEBUG, "media_root": str(s.MEDIA_ROOT), "from": s.DEFAULT_FROM_EMAIL,
}))
"""


def run(code_or_args, **env_vars):
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "opencities.settings",
        "ENV_FILE": "",  # the clone's development .env would fill in what a case leaves out
    }
    env.update(env_vars)
    args = [sys.executable, "-c", code_or_args] if isinstance(code_or_args, str) else [sys.executable, *code_or_args]
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False)


def read_settings(**env_vars):
    result = run(READ_SETTINGS, **env_vars)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_embedded_defaults_need_no_service():
    values = read_settings(DEBUG="1")
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["name"] == str(ROOT / "var" / "opencities.sqlite3")
    assert (values["broker"], values["eager"]) == ("memory://localhost/", True)
    assert values["email_backend"] == "opencities.mail.OutboxEmailBackend"
    assert values["email_path"] == str(ROOT / "var" / "outbox")
    assert values["demo"] is False


def test_database_url_selects_postgresql():
    values = read_settings(DEBUG="1", DATABASE_URL="postgres://app:secret@db.internal:6543/opencities")
    assert values["engine"] == "django.db.backends.postgresql"
    assert (values["name"], values["host"], values["port"]) == ("opencities", "db.internal", 6543)


def test_redis_url_makes_celery_use_redis():
    values = read_settings(DEBUG="1", REDIS_URL="redis://cache.internal:6379/2")
    assert values["broker"] == values["backend"] == "redis://cache.internal:6379/2"
    assert values["eager"] is False


def test_email_url_configures_smtp_with_tls():
    values = read_settings(DEBUG="1", EMAIL_URL="smtp+tls://mailer%40city.org:p%40ss@smtp.city.org:587")
    assert values["email_backend"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (values["email_host"], values["email_port"]) == ("smtp.city.org", 587)
    assert (values["email_user"], values["email_password"], values["email_tls"]) == ("mailer@city.org", "p@ss", True)


def test_admins_media_root_and_sender():
    values = read_settings(
        DEBUG="1",
        ADMINS="Ops Team <ops@city.org>, dev@city.org",
        MEDIA_ROOT="/srv/opencities/media",
        DEFAULT_FROM_EMAIL="OPENCities <noreply@city.org>",
    )
    assert values["admins"] == [["Ops Team", "ops@city.org"], ["", "dev@city.org"]]
    assert values["media_root"] == "/srv/opencities/media"
    assert values["from"] == "OPENCities <noreply@city.org>"


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "SITE_URL"])
def test_missing_production_setting_stops_the_start_and_names_it(missing):
    env = {key: value for key, value in PRODUCTION.items() if key != missing}
    result = run(["manage.py", "check"], **env)
    assert result.returncode != 0
    assert f"The {missing} environment variable must be set when DEBUG is off" in result.stderr


def test_malformed_admins_is_refused_with_its_name():
    result = run(["manage.py", "check"], DEBUG="1", ADMINS="not an address")
    assert result.returncode != 0
    assert "ADMINS" in result.stderr


def test_production_values_pass_the_deploy_check_without_warnings():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
