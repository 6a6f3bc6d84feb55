"""The LTI tests' platform: tests/lti/platform_app.py as its own process, on a free
port of 127.0.0.1, registered with the tool (live_server) as an admin would."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from html import unescape
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import requests
from django.core.management import call_command
from lti_tool.models import LtiRegistration

from tests.support.wait import wait_until

ROOT = Path(__file__).resolve().parents[2]
CLIENT_ID = "autograd-course-tool"
DEPLOYMENT = "deployment-1"

# The worker process started by tests/conftest.py reads these when it starts: retries
# a second apart instead of half a minute, so a platform outage is seen failing fast.
os.environ.setdefault("LTI_PUBLISH_MAX_RETRIES", "2")
os.environ.setdefault("LTI_PUBLISH_RETRY_SECONDS", "0.5")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Platform:
    tool_url: str
    state: Path
    port: int = field(default_factory=_free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        log = open(self.state.with_suffix(".log"), "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.lti.platform_app",
                "--port",
                str(self.port),
                "--tool",
                self.tool_url,
                "--state",
                str(self.state),
            ],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

        def up() -> bool:
            assert self.proc is not None and self.proc.poll() is None, self.log()
            try:
                return requests.get(f"{self.url}/ping", timeout=1).ok
            except requests.ConnectionError:
                return False

        wait_until(up, 30, "the LTI platform to start", interval=0.1)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        self.proc = None

    def log(self) -> str:
        path = self.state.with_suffix(".log")
        return path.read_text() if path.exists() else ""

    def gradebook(self) -> dict[str, Any]:
        return dict(requests.get(f"{self.url}/gradebook", timeout=5).json())

    def register(self) -> LtiRegistration:
        """What an admin enters for this platform (here through `manage.py lti_platform`)."""
        out = StringIO()
        call_command(
            "lti_platform",
            "--name=Test LMS",
            f"--issuer={self.url}",
            f"--client-id={CLIENT_ID}",
            f"--auth-url={self.url}/auth",
            f"--token-url={self.url}/token",
            f"--keyset-url={self.url}/jwks",
            f"--deployment={DEPLOYMENT}",
            stdout=out,
        )
        assert f"active deployments: {DEPLOYMENT}" in out.getvalue()
        return LtiRegistration.objects.get(issuer=self.url)


@pytest.fixture
def platform(live_server: Any, tmp_path: Path) -> Iterator[Platform]:
    plat = Platform(tool_url=live_server.url, state=tmp_path / "platform.json")
    plat.start()
    try:
        yield plat
    finally:
        plat.stop()


def form_fields(html: str, form_id: str | None = None) -> tuple[str, dict[str, str]]:
    """The action and hidden fields of the (auto-submitting) form on a page: the first
    form, or the one with this id."""
    start = html.index(f'id="{form_id}"') if form_id else 0
    start = html.rindex("<form", 0, start + 1) if form_id else html.index("<form")
    form = html[start : html.index("</form>", start)]
    action = re.search(r'action="([^"]+)"', form)
    assert action, html[:2000]
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
    return unescape(action.group(1)), {k: unescape(v) for k, v in fields.items()}


def place(platform: Platform, keys: list[str], teacher: str = "teacher-1") -> list[dict[str, Any]]:
    """An instructor's deep-linking round: the picker, the answer, the placement."""
    browser = Browser()
    picker, _ = browser.open_from_lms(f"{platform.url}/course/deep-link?user={teacher}")
    assert picker.status_code == 200, picker.text[:2000]
    answer = browser.post(picker.url, {"csrfmiddlewaretoken": browser.csrf(), "activity": keys})
    assert answer.status_code == 200, answer.text[:2000]
    action, fields = form_fields(answer.text, "lti-deep-link-return")
    assert action == f"{platform.url}/deep-link-return"
    return list(browser.post(action, {"JWT": fields["JWT"]}).json()["created"])


class Browser:
    """A person's browser: follows redirects, keeps cookies, submits the forms that a
    real browser would submit by script."""

    def __init__(self) -> None:
        self.session = requests.Session()

    def get(self, url: str) -> requests.Response:
        return self.session.get(url, timeout=30)

    def open_from_lms(self, url: str) -> tuple[requests.Response, dict[str, str]]:
        """Click a link in the LMS: login initiation, the platform's auth answer, then
        the launch form posted to the tool. Returns the tool's answer and the form."""
        page = self.get(url)
        assert page.status_code == 200, page.text[:2000]
        action, fields = form_fields(page.text)
        return self.session.post(action, data=fields, timeout=60), fields

    def post(self, url: str, data: dict[str, Any]) -> requests.Response:
        return self.session.post(url, data=data, timeout=60)

    def csrf(self) -> str:
        return str(self.session.cookies.get("csrftoken"))
