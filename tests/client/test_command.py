"""`autograd-course submit` from a fresh virtualenv holding only the client (built from
client/ as a wheel), against the site (live_server) and a real Celery worker."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from accounts.services import api_token_rotate

pytestmark = [pytest.mark.worker, pytest.mark.slow, pytest.mark.xdist_group("worker")]

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def client_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtualenv with the client installed from its wheel, and nothing else."""
    base = tmp_path_factory.mktemp("client")
    # Built from a copy: a build leaves build/ and *.egg-info beside the sources.
    shutil.copytree(ROOT / "client", base / "src", ignore=shutil.ignore_patterns("*.egg-info"))
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
         "-w", str(base / "dist"), str(base / "src")],
        check=True,
        timeout=180,
    )  # fmt: skip
    [wheel] = (base / "dist").glob("autograd_course_client-*.whl")
    subprocess.run([sys.executable, "-m", "venv", str(base / "venv")], check=True, timeout=180)
    subprocess.run(
        [str(base / "venv/bin/pip"), "install", "-q", "--no-index", str(wheel)],
        check=True,
        timeout=180,
    )
    return base / "venv"


def _run(venv: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("AUTOGRAD_COURSE_")}
    return subprocess.run(
        [str(venv / "bin/autograd-course"), *args],
        capture_output=True,
        text=True,
        timeout=180,
        env={**clean, **env},
    )


@pytest.mark.django_db(transaction=True)
def test_the_command_submits_a_file_and_prints_score_and_feedback(
    course, student, live_server, celery_worker_process, broker_app, client_venv, tmp_path
) -> None:
    installed = subprocess.run(
        [str(client_venv / "bin/pip"), "list", "--format=freeze"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    # Nothing but the client beside what venv puts in every environment.
    names = {p.split("==")[0] for p in installed} - {"pip", "setuptools"}
    assert names == {"autograd-course-client"}

    token = api_token_rotate(user=student)
    env = {"AUTOGRAD_COURSE_URL": live_server.url, "AUTOGRAD_COURSE_TOKEN": token}
    right, wrong = tmp_path / "right.txt", tmp_path / "wrong.txt"
    right.write_text("2*x*cos(x**2)\n")
    wrong.write_text("cos(x**2)\n")

    graded = _run(client_venv, "submit", "chain-rule", str(right), **env)
    print(graded.stdout)
    assert graded.returncode == 0, graded.stderr
    assert graded.stdout.startswith("chain-rule, attempt 1: 10 / 10\n")
    assert "[PASS] dz/dx at 4 points 5/5" in graded.stdout

    # Flags instead of the environment; a wrong answer is graded too (status 0).
    zero = _run(
        client_venv, "submit", "chain-rule", str(wrong), "--url", live_server.url, "--token", token
    )
    print(zero.stdout)
    assert zero.returncode == 0, zero.stderr
    assert zero.stdout.startswith("chain-rule, attempt 2: 0 / 10\n")
    assert "Likely mistake:" in zero.stdout
    assert "[FAIL] dz/dx at 4 points 0/5" in zero.stdout

    refused = _run(
        client_venv, "submit", "chain-rule", str(right), **{**env, "AUTOGRAD_COURSE_TOKEN": "wrong"}
    )
    assert refused.returncode == 2
    assert refused.stderr == (
        "autograd-course: The site refused the request (401): Invalid API token.\n"
    )
    unset = _run(client_venv, "submit", "chain-rule", str(right))
    assert unset.returncode == 2
    assert "No site address: set AUTOGRAD_COURSE_URL or pass --url." in unset.stderr
    assert student.submissions.count() == 2
