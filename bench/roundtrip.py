"""Submit answers through the JSON API of a running site and time submit → score.

    python bench/roundtrip.py --url http://127.0.0.1:8000 --token "$(python manage.py apitoken student)"

Submits, for chain-rule, bce-manual-gradients and fix-runtime-error, the reference
answer and a wrong one (from the exercise folders), polls each until it is final, and
prints one line per answer with the score and the submit→score time."""

from __future__ import annotations

import argparse
import json
import time
import urllib.request
from pathlib import Path

CONTENT = Path(__file__).resolve().parent.parent / "exercises" / "content"


def _read(slug: str, name: str) -> str:
    for path in (CONTENT / slug / f"{name}.py", CONTENT / slug / f"{name}.txt"):
        if path.exists():
            return path.read_text().strip() if path.suffix == ".txt" else path.read_text()
    raise FileNotFoundError(f"{slug}/{name}")


CASES = [
    ("chain-rule", "2*x*cos(x**2)"),
    ("chain-rule", "cos(x**2)"),
    ("bce-manual-gradients", _read("bce-manual-gradients", "solution")),
    ("bce-manual-gradients", _read("bce-manual-gradients", "wrong/forgot-batch-mean")),
    ("fix-runtime-error", _read("fix-runtime-error", "solution")),
    ("fix-runtime-error", _read("fix-runtime-error", "starter")),
]


def _call(url: str, token: str, data: dict | None = None) -> dict:
    body = json.dumps(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, method="POST" if body else "GET")
    request.add_header("Authorization", f"Token {token}")
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--token", required=True)
    args = parser.parse_args()
    for slug, answer in CASES:
        started = time.perf_counter()
        created = _call(
            f"{args.url}/api/v1/submissions", args.token, {"exercise": slug, "answer": answer}
        )
        while True:
            result = _call(created["url"], args.token)
            if result["status"] in ("graded", "error"):
                break
            time.sleep(0.02)
        took = (time.perf_counter() - started) * 1000
        first_line = answer.strip().splitlines()[-1][:40]
        named = (result.get("misconception") or {}).get("name", "-")
        print(
            f"{slug:22s} {result['status']:7s} {result['score']:>5g}/{result['max_score']:g}"
            f"  misconception={named:32s} submit→score {took:7.1f} ms   [{first_line}]"
        )


if __name__ == "__main__":
    main()
