"""Deployment files and production settings, checked with the real tools."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "a-long-random-production-secret-key-for-the-deploy-check-0123456789",
    "GRADER_SEED_KEY": "a-production-seed-key-for-the-deploy-check",
    "ALLOWED_HOSTS": "course.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://course.example.org",
}


def test_docker_compose_file_is_valid_and_wires_all_four_services() -> None:
    compose = shutil.which("docker-compose")
    assert compose, "docker-compose is missing: `make system-deps` installs it"
    result = subprocess.run(
        [compose, "-f", str(ROOT / "docker-compose.yml"), "config"],
        cwd=ROOT,  # the worker's seccomp profile path is relative to the checkout
        capture_output=True,
        text=True,
        env={**os.environ, "SECRET_KEY": "x", "GRADER_SEED_KEY": "x"},
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    services = subprocess.run(
        [compose, "-f", str(ROOT / "docker-compose.yml"), "config", "--services"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "SECRET_KEY": "x", "GRADER_SEED_KEY": "x"},
        timeout=60,
    )
    assert set(services.stdout.split()) == {"web", "worker", "redis", "postgres"}
    assert "CELERY_BROKER_URL: redis://redis:6379/0" in result.stdout
    assert "DATABASE_URL: postgres://autograd:autograd@postgres:5432/autograd" in result.stdout
    assert (
        "gunicorn -c autograd_course/gunicorn_conf.py autograd_course.wsgi:application"
        in result.stdout
    )
    assert "max_connections=300" in result.stdout  # a connection per gunicorn thread


def _production_env() -> dict[str, str]:
    env = {**os.environ, **PRODUCTION_ENV}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by conftest for the browser tests only
    return env


def test_check_deploy_is_clean_with_production_settings() -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=_production_env(),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("setting", ["SECRET_KEY", "GRADER_SEED_KEY"])
def test_production_refuses_to_start_without_its_secrets(setting: str) -> None:
    env = _production_env()
    del env[setting]
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode != 0
    assert f"{setting} must be set when DEBUG is off" in result.stderr


def test_half_configured_single_sign_on_stops_the_start_naming_what_is_missing() -> None:
    env = {
        **_production_env(),
        "OIDC_ISSUER": "https://login.uni.example",
        "OIDC_CLIENT_ID": "autograd",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode != 0
    assert (
        "Single sign-on is half configured: set OIDC_CLIENT_SECRET, OIDC_AUTHORIZATION_ENDPOINT,"
        " OIDC_TOKEN_ENDPOINT, OIDC_USERINFO_ENDPOINT, OIDC_JWKS_ENDPOINT" in result.stderr
    )
