"""The server's CPU per exercise page as more students ask at once, by thread setting.

    .venv/bin/python bench/web_threads.py            # ~2 min
    .venv/bin/python bench/web_threads.py --rounds 3

One gunicorn process (autograd_course/gunicorn_conf.py, production settings, on the
private PostgreSQL and Redis of tests/support/stack.py) serves one logged-in student's exercise
page to 1, 8 and 32 clients at once, each on its own keep-alive connection. For each
setting of GUNICORN_THREADS and WEB_ACTIVE_REQUESTS (autograd_course/slots.py) it prints
the gunicorn process's CPU per request and the wall time, interleaved over rounds
because this host's speed drifts. The clients run in this process, on the same cores.
"""

from __future__ import annotations

import argparse
import http.client
import re
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import psutil

# The harness lives in the test tree (tests/support/), shared with the fault tests.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.support.stack import Stack

PASSWORD = "bench-threads-password-1"
PAGE = "/exercises/chain-rule/"
CONFIGS = [  # (threads, active requests)
    (64, 1000),  # as before slots.py: every thread computes when it can
    (64, 2),  # the default
    (2, 1000),  # few threads: the ceiling for "few compute at once" (no long polls)
]


def _cookies(response: http.client.HTTPResponse, jar: dict[str, str]) -> None:
    for header, value in response.getheaders():
        if header.lower() == "set-cookie":
            name, _, rest = value.partition("=")
            jar[name] = rest.split(";", 1)[0]


def _login(port: int, username: str) -> str:
    """The Cookie header of a logged-in session (cookies are Secure: sent by hand)."""
    jar: dict[str, str] = {}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/accounts/login/")
    page = conn.getresponse()
    _cookies(page, jar)
    found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.read())
    assert found, "no CSRF token on the login page"
    body = urlencode(
        {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": found.group(1)}
    )
    conn.request(
        "POST",
        "/accounts/login/",
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()),
            "Referer": f"http://127.0.0.1:{port}/accounts/login/",
        },
    )
    done = conn.getresponse()
    done.read()
    assert done.status == 302, f"login failed: {done.status}"
    _cookies(done, jar)
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def _hammer(port: int, cookie: str, clients: int, per_client: int) -> None:
    failures: list[str] = []

    def one() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for _ in range(per_client):
            conn.request("GET", PAGE, headers={"Cookie": cookie})
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                failures.append(str(response.status))

    threads = [threading.Thread(target=one) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, f"HTTP {failures[:5]}"


def _web_cpu(stack: Stack) -> float:
    master = psutil.Process(stack.procs["web"].pid)
    return sum(sum(w.cpu_times()[:2]) for w in master.children())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--requests", type=int, default=300, help="per measurement")
    args = parser.parse_args()
    with Stack(name="threads", web_workers=1, celery_workers=0) as stack:
        stack.students_create(1, prefix="threads", password=PASSWORD)
        port = stack.web_port
        for round_no in range(1, args.rounds + 1):
            for threads, active in CONFIGS:
                stack._terminate(stack.procs["web"])
                stack.web_threads = threads
                stack.extra_env["WEB_ACTIVE_REQUESTS"] = str(active)
                stack.web_start()
                stack.web_wait_ready()
                cookie = _login(port, "threads0000")
                _hammer(port, cookie, 4, 10)  # warm: templates, connections
                line = []
                for clients in (1, 8, 32):
                    per_client = max(1, args.requests // clients)
                    cpu0, t0 = _web_cpu(stack), time.monotonic()
                    _hammer(port, cookie, clients, per_client)
                    n = per_client * clients
                    cpu_ms = (_web_cpu(stack) - cpu0) * 1000 / n
                    line.append(
                        f"{clients:2d} at once: {cpu_ms:5.2f} ms CPU/page, "
                        f"{time.monotonic() - t0:4.1f} s wall"
                    )
                label = "unlimited" if active >= 1000 else str(active)
                print(
                    f"round {round_no}  threads={threads:<3d} active={label:<9s} "
                    + " | ".join(line),
                    flush=True,
                )


if __name__ == "__main__":
    main()
