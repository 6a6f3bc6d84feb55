"""A bounded wait on a condition, for the tests and the bench harness.

A fixed sleep before checking something that happens in another thread or process is
either longer than needed or, on a loaded machine, too short; polling the condition
returns as soon as it holds, and the deadline is only reached when something is wrong,
with a message that says what did not happen."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class WaitTimeout(AssertionError):
    """The condition did not hold before the deadline (an AssertionError, so that in a
    test it reads as the failure it is)."""


def wait_until(
    predicate: Callable[[], T],
    timeout: float,
    what: str | Callable[[], str],
    *,
    interval: float = 0.05,
    ignoring: tuple[type[Exception], ...] = (),
) -> T:
    """Call ``predicate`` every ``interval`` seconds until it returns a true value, and
    return that value; raise WaitTimeout after ``timeout`` seconds. ``what`` names the
    awaited condition ("the worker to be ready"); a callable is called only on failure,
    so the message can show the last state seen. Exceptions of the ``ignoring`` types
    count as "not yet" (a service that does not accept connections yet)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = predicate()
        except ignoring:
            pass
        else:
            if value:
                return value
        if time.monotonic() >= deadline:
            described = what() if callable(what) else what
            raise WaitTimeout(f"timed out after {timeout:g} s waiting for {described}")
        time.sleep(interval)
