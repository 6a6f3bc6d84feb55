"""Wake the requests that wait for a result as soon as it is final (a submission, or a
quiz attempt: `quiz_key`).

The result card and the API can hold a request open until the answer is graded (a
long poll) instead of being asked again every few hundred milliseconds: one request per
answer instead of several, and under a long queue the waiting costs no CPU at all.

With Redis, the grading worker publishes on a per-submission channel after the final
write has committed. Each web process has one listener thread subscribed to all those
channels (a pattern subscription); it wakes the threads waiting for that submission and
remembers the ids it saw for a minute, so a request that starts waiting just after the
result was published is woken at once. A waiter therefore reads the row once, when it is
woken, instead of subscribing (a Redis connection) and re-reading at every step: under
load the re-reads were a quarter of the web processes' CPU.

The message is only a hint: a woken waiter re-reads the row, and every waiter re-reads it
every GRADER_WAIT_REREAD_SECONDS anyway, so a lost, early or duplicated message can only
cost a re-read or some latency. Channel names include the database's name, so another
site on the same Redis does not cause even that. While the listener is not subscribed
(Redis down, or without Redis: `make run` on the SQLAlchemy broker) waiters re-read every
GRADER_WAIT_POLL_SECONDS instead. A waiting web request gives up its turn to compute
(autograd_course/slots.py) for as long as it waits.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from functools import cache
from typing import Any, TypeVar

from django.conf import settings

from autograd_course.slots import slot_released

logger = logging.getLogger(__name__)

# Channels are named after the database too: two sites (or two test databases) sharing
# one Redis then never wake each other's waiters with the same submission id.
CHANNEL = "grader:final:{}:{}"
PATTERN = "grader:final:{}:*"
# A worker's claim (queued -> running): only waiters for any change listen to it.
CHANNEL_RUNNING = "grader:running:{}:{}"
PATTERN_RUNNING = "grader:running:{}:*"
# How long announced keys are remembered for waiters that arrive after the message.
RECENT_SECONDS = 60.0
T = TypeVar("T")


@cache
def _client(url: str) -> Any:
    import redis

    # One pool per process, shared by its threads; short timeouts so that a Redis that
    # went away turns into a plain re-read, never a hung request.
    return redis.Redis.from_url(
        url, socket_connect_timeout=1.0, socket_timeout=None, socket_keepalive=True
    )


def _namespace() -> str:
    from django.db import connection

    return str(connection.settings_dict["NAME"])


def _redis() -> Any | None:
    url = settings.GRADER_NOTIFY_REDIS_URL
    return _client(url) if url else None


def quiz_key(attempt_id: int) -> str:
    """The key of a quiz attempt's channel (a submission's is its id)."""
    return f"quiz-{attempt_id}"


def announce_final(key: int | str) -> None:
    """Tell waiters that the submission ``key`` (or the quiz attempt ``quiz_key(id)``)
    reached graded/error. Call after commit; never raises (a waiter that misses it still
    sees the row at its next re-read)."""
    _publish(CHANNEL.format(_namespace(), key), b"final")


def announce_running(submission_id: int) -> None:
    """Tell waiters for any change that a worker claimed ``submission_id``: a result
    card that shows "queued" waits for this, so the student sees each state as it
    happens. Waiters for the final state do not hear it. Never raises."""
    _publish(CHANNEL_RUNNING.format(_namespace(), submission_id), b"running")


def _publish(channel: str, message: bytes) -> None:
    """Publish, or log why not: an announcement is a hint to waiters, never a failure."""
    client = _redis()
    if client is None:
        return
    try:
        client.publish(channel, message)
    except Exception:
        logger.warning("could not announce %r on %s", message, channel, exc_info=True)


class Listener:
    """The process's subscription to every submission's channel, and its waiters."""

    def __init__(self, client: Any, namespace: str) -> None:
        self.client = client
        self.pattern = PATTERN.format(namespace)
        self.pattern_running = PATTERN_RUNNING.format(namespace)
        self.lock = threading.Lock()
        self.waiters: dict[str, set[threading.Event]] = {}
        # Waiters for any change of state (the claim too), woken by every announcement.
        self.change_waiters: dict[str, set[threading.Event]] = {}
        self.recent: OrderedDict[str, float] = OrderedDict()  # key -> monotonic time seen
        # Monotonic time since which the subscription has been up; None while it is not.
        self.subscribed_since: float | None = None
        self.thread = threading.Thread(target=self._run, name="grader-notify", daemon=True)
        self.thread.start()

    # -- waiters --

    def register(
        self,
        key: str,
        event: threading.Event,
        pending_since: float | None,
        *,
        any_change: bool = False,
    ) -> bool:
        """Wake ``event`` when ``key`` is announced final (at once if it was in the last
        minute), or, ``any_change``, also when it is claimed. True if no announcement
        since ``pending_since`` can have been missed: the subscription was up then and
        has stayed up."""
        with self.lock:
            waiters = self.change_waiters if any_change else self.waiters
            waiters.setdefault(key, set()).add(event)
            if key in self.recent:
                event.set()
            since = self.subscribed_since
            return since is not None and pending_since is not None and since <= pending_since

    def unregister(self, key: str, event: threading.Event, *, any_change: bool = False) -> None:
        with self.lock:
            waiters = self.change_waiters if any_change else self.waiters
            events = waiters.get(key)
            if events is not None:
                events.discard(event)
                if not events:
                    del waiters[key]

    @property
    def subscribed(self) -> bool:
        return self.subscribed_since is not None

    # -- the listening thread --

    def _announced(self, channel: bytes) -> None:
        try:
            key = channel.rsplit(b":", 1)[1].decode("ascii")
        except (IndexError, UnicodeDecodeError):
            return
        if channel.startswith(b"grader:running:"):
            with self.lock:
                for event in self.change_waiters.get(key, ()):
                    event.set()
            return
        now = time.monotonic()
        with self.lock:
            for event in self.change_waiters.get(key, ()):
                event.set()
            self.recent[key] = now
            self.recent.move_to_end(key)
            while self.recent and next(iter(self.recent.values())) < now - RECENT_SECONDS:
                self.recent.popitem(last=False)
            for event in self.waiters.get(key, ()):
                event.set()

    def _lost(self) -> None:
        """The subscription is down: what was published meanwhile is gone, so every
        waiter re-reads now and then polls until it is back."""
        with self.lock:
            self.subscribed_since = None
            self.recent.clear()
            for events in [*self.waiters.values(), *self.change_waiters.values()]:
                for event in events:
                    event.set()

    def _run(self) -> None:
        backoff, warned = 0.2, False
        while True:
            pubsub = self.client.pubsub()
            try:
                pubsub.psubscribe(self.pattern, self.pattern_running)
                idle_since = time.monotonic()
                while True:
                    message = pubsub.get_message(timeout=1.0)
                    if message is None:
                        if time.monotonic() - idle_since > 30.0:
                            pubsub.ping()  # a dead connection shows up as an error here
                            idle_since = time.monotonic()
                        continue
                    idle_since = time.monotonic()
                    if message["type"] == "psubscribe":
                        with self.lock:
                            self.subscribed_since = time.monotonic()
                        backoff, warned = 0.2, False
                    elif message["type"] == "pmessage":
                        self._announced(message["channel"])
            except Exception as exc:
                if self.subscribed or not warned:
                    # Once per outage: waiters poll meanwhile, nothing else to do.
                    logger.warning("no Redis subscription for results (%s); retrying", exc)
                    warned = True
            finally:
                self._lost()
                with contextlib.suppress(Exception):
                    pubsub.close()
            time.sleep(backoff)
            backoff = min(backoff * 2, 5.0)


_listeners: dict[tuple[int, str, str], Listener] = {}
_listeners_lock = threading.Lock()


def listener() -> Listener | None:
    """This process's listener for the configured Redis (None without Redis), started on
    first use; a forked child starts its own (threads do not survive fork)."""
    url = settings.GRADER_NOTIFY_REDIS_URL
    if not url:
        return None
    namespace = _namespace()
    key = (os.getpid(), url, namespace)
    with _listeners_lock:
        found = _listeners.get(key)
        if found is None:
            found = _listeners[key] = Listener(_client(url), namespace)
        return found


def wait_until(
    key: int | str,
    fetch_final: Callable[[], T | None],
    timeout: float,
    *,
    pending_since: float | None = None,
    any_change: bool = False,
) -> T | None:
    """Return ``fetch_final()`` as soon as it is not None, or None after ``timeout`` s.
    ``any_change``: woken by the claim too (announce_running), not only the final state.

    ``pending_since``: a ``time.monotonic()`` at which the caller knew the submission was
    not final (before it created it, or before the read that showed it pending). If the
    listener was subscribed since then, the first read is skipped: the announcement
    cannot have been missed, and the waiter reads only once it is woken."""
    deadline = time.monotonic() + max(0.0, timeout)
    found = None if timeout <= 0 else _listener_or_none()
    if found is None:
        return _wait_polling(fetch_final, deadline)
    return _wait_listening(found, str(key), fetch_final, deadline, pending_since, any_change)


def _listener_or_none() -> Listener | None:
    try:
        return listener()
    except Exception:
        logger.warning("no listener for results; re-reading instead", exc_info=True)
        return None


def _wait_listening(
    found: Listener,
    key: str,
    fetch_final: Callable[[], T | None],
    deadline: float,
    pending_since: float | None,
    any_change: bool = False,
) -> T | None:
    event = threading.Event()
    covered = found.register(key, event, pending_since, any_change=any_change)
    try:
        if not covered and (result := fetch_final()) is not None:
            return result
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            step = (
                settings.GRADER_WAIT_REREAD_SECONDS
                if found.subscribed
                else settings.GRADER_WAIT_POLL_SECONDS
            )
            with slot_released():  # a waiting request lets another one compute
                event.wait(min(left, step))
            event.clear()
            if (result := fetch_final()) is not None:
                return result
    finally:
        found.unregister(key, event, any_change=any_change)


def _wait_polling(fetch_final: Callable[[], T | None], deadline: float) -> T | None:
    while True:
        found = fetch_final()
        left = deadline - time.monotonic()
        if found is not None or left <= 0:
            return found
        with slot_released():
            time.sleep(min(left, settings.GRADER_WAIT_POLL_SECONDS))
