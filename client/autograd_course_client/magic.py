"""The `%%submit <exercise>` cell magic: the cell's text is the answer."""

from __future__ import annotations

import argparse
import shlex

from IPython.core.error import UsageError
from IPython.core.magic import Magics, cell_magic, magics_class

from .api import Connection, CourseError, submit
from .cli import add_connection_arguments, parts_of
from .render import Result

USAGE = "%%submit <exercise> [--part ID=VALUE ...] [--url URL] [--token TOKEN] [--timeout SECONDS]"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="%%submit", add_help=False, exit_on_error=False)
    parser.add_argument("exercise")
    add_connection_arguments(parser)
    return parser


@magics_class
class SubmitMagics(Magics):
    @cell_magic
    def submit(self, line: str, cell: str) -> Result:
        """Submits the cell's text as the answer to <exercise>, waits for the grade and
        shows the result card. The cell is not run here: the grader runs it."""
        try:
            args = _parser().parse_args(shlex.split(line))
        except (argparse.ArgumentError, SystemExit) as exc:
            raise UsageError(f"usage: {USAGE}") from exc
        try:
            connection = Connection.from_environment(url=args.url, token=args.token)
            payload = submit(
                connection, args.exercise, cell, parts=parts_of(args.part), timeout=args.timeout
            )
            return Result(payload)
        except CourseError as exc:
            raise UsageError(str(exc)) from exc
