"""`autograd-course submit <exercise> <file>`: submit a file's text, print the result.

Exit status: 0 graded, 1 the grader could not grade it (the message says why), 2 the
answer was not accepted or the site could not be reached, 3 not graded in time."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from .api import DEFAULT_TIMEOUT_SECONDS, Connection, CourseError, submit
from .render import as_text


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="autograd-course", description="Submit answers to an Autograd Course site."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    send = commands.add_parser("submit", help="submit an answer and wait for its grade")
    send.add_argument("exercise", help="the exercise's slug, e.g. chain-rule")
    send.add_argument("file", help="a file holding the answer ('-' for standard input)")
    add_connection_arguments(send)
    return parser


def add_connection_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--part",
        action="append",
        default=[],
        metavar="ID=VALUE",
        help="the answer to a part of the exercise, e.g. --part grad_fn=pow "
        "(repeat an ID for several choices)",
    )
    parser.add_argument("--url", help="the site's address (default: $AUTOGRAD_COURSE_URL)")
    parser.add_argument("--token", help="your API token (default: $AUTOGRAD_COURSE_TOKEN)")
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT_SECONDS,
        help="seconds to wait for the grade (default: %(default)s)",
    )


def parts_of(pairs: list[str]) -> dict[str, Any]:
    """{"id": "value"} from ["id=value", ...]; a repeated id collects a list."""
    parts: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise CourseError(f"--part takes ID=VALUE, got {pair!r}")
        if key in parts:
            previous = parts[key]
            parts[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            parts[key] = value
    return parts


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.file == "-":
            answer = sys.stdin.read()
        else:
            with open(args.file, encoding="utf-8") as f:
                answer = f.read()
    except OSError as exc:
        print(f"autograd-course: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 2
    try:
        connection = Connection.from_environment(url=args.url, token=args.token)
        payload = submit(
            connection, args.exercise, answer, parts=parts_of(args.part), timeout=args.timeout
        )
    except CourseError as exc:
        print(f"autograd-course: {exc}", file=sys.stderr)
        return 3 if "not graded within" in str(exc) else 2
    print(as_text(payload))
    return 0 if payload.get("status") == "graded" else 1


if __name__ == "__main__":
    sys.exit(main())
