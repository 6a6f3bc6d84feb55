"""The site's JSON API (`/api/v1/`), with a token, over the standard library's urllib.

One answer costs one request when it is graded quickly: `POST /api/v1/submissions?wait=`
answers with the result itself once it is final. Otherwise the answer is followed with
long polls (`GET <url>?wait=`) until it is final or the caller's time is up."""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

URL_VARIABLE = "AUTOGRAD_COURSE_URL"
TOKEN_VARIABLE = "AUTOGRAD_COURSE_TOKEN"
FINAL_STATUSES = ("graded", "error")
# The server holds a long poll for at most its GRADER_WAIT_MAX_SECONDS (20 s by default)
# and answers with the current state then; asking for more is harmless.
LONG_POLL_SECONDS = 20.0
DEFAULT_TIMEOUT_SECONDS = 120.0


class CourseError(Exception):
    """Something the student can act on: a missing setting, a refused answer, a timeout."""


@dataclass(frozen=True)
class Connection:
    url: str
    token: str

    @classmethod
    def from_environment(cls, *, url: str | None = None, token: str | None = None) -> Connection:
        """The given values, else AUTOGRAD_COURSE_URL and AUTOGRAD_COURSE_TOKEN."""
        url = url or os.environ.get(URL_VARIABLE, "")
        token = token or os.environ.get(TOKEN_VARIABLE, "")
        if not url:
            raise CourseError(f"No site address: set {URL_VARIABLE} or pass --url.")
        if not token:
            raise CourseError(
                f"No API token: set {TOKEN_VARIABLE} or pass --token "
                "(make one on the site's 'API token' page)."
            )
        return cls(url=url.rstrip("/"), token=token.strip())


def _request(
    connection: Connection, method: str, url: str, body: dict[str, Any] | None, timeout: float
) -> tuple[int, dict[str, Any]]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Authorization", f"Token {connection.token}")
    request.add_header("Accept", "application/json")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        raw = exc.read().decode("utf-8", "replace")
        try:
            message = json.loads(raw).get("error") or raw
        except (ValueError, AttributeError):
            message = raw[:300] or exc.reason
        raise CourseError(f"The site refused the request ({exc.code}): {message}") from exc
    except urllib.error.URLError as exc:
        raise CourseError(f"Cannot reach {connection.url}: {exc.reason}") from exc
    except TimeoutError as exc:
        raise CourseError(f"{connection.url} did not answer within {timeout:.0f} s") from exc


def submit(
    connection: Connection,
    exercise: str,
    answer: str,
    *,
    parts: dict[str, Any] | None = None,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
) -> dict[str, Any]:
    """Submit `answer` (and the answers to named `parts`, e.g. {"grad_fn": "pow"}) to
    `exercise` and return the submission once it is final (status "graded" or "error").
    Raises CourseError when refused or not final within `timeout` seconds."""
    deadline = time.monotonic() + timeout

    def wait_for() -> float:
        return max(0.0, min(LONG_POLL_SECONDS, deadline - time.monotonic()))

    wait = wait_for()
    _, payload = _request(
        connection,
        "POST",
        f"{connection.url}/api/v1/submissions?wait={wait:.1f}",
        {"exercise": exercise, "answer": answer, **({"parts": parts} if parts else {})},
        timeout=wait + 30,
    )
    while payload.get("status") not in FINAL_STATUSES:
        wait = wait_for()
        if wait <= 0:
            raise CourseError(
                f"Submission {payload.get('id')} was not graded within {timeout:.0f} s; "
                f"it is still {payload.get('status')}: see {payload.get('url')}"
            )
        _, payload = _request(
            connection, "GET", f"{payload['url']}?wait={wait:.1f}", None, timeout=wait + 30
        )
    return payload
