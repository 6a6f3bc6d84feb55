"""A Redis cache whose outages are cache misses, for the sessions.

Sessions use Django's ``cached_db`` engine when Redis is there: a request reads its
session from Redis instead of PostgreSQL (one query less on every page, submit and
poll), and every write still goes to the database. When Redis is down or restarting,
reads miss and fall back to the database and writes to Redis are skipped, so students
stay logged in instead of getting 500s (Django's own RedisCache raises). Redis runs
without persistence here, so a restart empties it and no stale session comes back.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)


def _errors() -> tuple[type[BaseException], ...]:
    import redis

    return (redis.RedisError, OSError)


class TolerantRedisCache(RedisCache):
    def _fallback(self, operation: str, default: Any) -> Any:
        logger.warning("cache %s failed; Redis unavailable?", operation, exc_info=True)
        return default

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        try:
            return super().get(key, default, version)
        except _errors():
            return self._fallback("get", default)

    def set(self, key: Any, value: Any, timeout: Any = None, version: Any = None) -> None:
        try:
            super().set(key, value, timeout, version)
        except _errors():
            self._fallback("set", None)

    def add(self, key: Any, value: Any, timeout: Any = None, version: Any = None) -> bool:
        try:
            return bool(super().add(key, value, timeout, version))
        except _errors():
            return bool(self._fallback("add", False))

    def delete(self, key: Any, version: Any = None) -> bool:
        try:
            return bool(super().delete(key, version))
        except _errors():
            return bool(self._fallback("delete", False))

    def touch(self, key: Any, timeout: Any = None, version: Any = None) -> bool:
        try:
            return bool(super().touch(key, timeout, version))
        except _errors():
            return bool(self._fallback("touch", False))
