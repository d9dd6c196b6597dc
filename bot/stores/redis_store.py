"""`RedisStore`: conversations in Redis (`REDIS_URL`), for several replicas of the bot.

- A conversation is a hash `<prefix>state:<key>` with its version `v` and JSON data `d`.
  `put` is one Lua script: compare the version, write, set or clear the expiry. Atomic on the
  server, so two replicas can never both win a compare-and-set on the same version.
- Versions are random tokens, not counters: a key deleted and written again never comes back
  to a version an old reader holds.
- Records go to a sorted set per stream, scored by time; each append prunes what is older
  than its `ttl` and the whole set expires `ttl` after the last append.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from typing import Any

from redis import asyncio as aioredis
from redis.exceptions import RedisError

from bot.stores.base import Stored, StoreUnavailable

PREFIX = "boussole:"
CONNECT_TIMEOUT = 2.0
OPERATION_TIMEOUT = 2.0
RECORDS_PAGE = 5000

# KEYS[1] the hash; ARGV: expected version ("" for absent), new version, data, ttl in ms ("0": none)
_PUT = """
local current = redis.call('HGET', KEYS[1], 'v')
if current == false then current = '' end
if current ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'v', ARGV[2], 'd', ARGV[3])
if ARGV[4] ~= '0' then redis.call('PEXPIRE', KEYS[1], ARGV[4]) else redis.call('PERSIST', KEYS[1]) end
return 1
"""


class RedisStore:
    def __init__(
        self,
        url: str,
        prefix: str = PREFIX,
        clock: Callable[[], float] = time.time,
        client: aioredis.Redis | None = None,
    ) -> None:
        self.url = url
        self.prefix = prefix
        self.clock = clock
        self.client = client or aioredis.Redis.from_url(
            url,
            socket_connect_timeout=CONNECT_TIMEOUT,
            socket_timeout=OPERATION_TIMEOUT,
            decode_responses=False,
        )
        self._put = self.client.register_script(_PUT)

    def _state(self, key: str) -> str:
        return f"{self.prefix}state:{key}"

    def _stream(self, stream: str) -> str:
        return f"{self.prefix}records:{stream}"

    async def check(self) -> None:
        probe = f"{self.prefix}probe:{secrets.token_hex(4)}"
        try:
            await self.client.set(probe, b"1", px=5000)
            await self.client.delete(probe)
        except (RedisError, OSError) as exc:
            raise StoreUnavailable(f"Redis is unreachable or read-only: {type(exc).__name__}: {exc}") from exc

    async def get(self, key: str) -> Stored:
        try:
            version, raw = await self.client.hmget(self._state(key), "v", "d")
        except (RedisError, OSError) as exc:
            raise StoreUnavailable(f"Redis read failed: {type(exc).__name__}") from exc
        if version is None:
            return Stored(None, None)
        try:
            data = json.loads(raw) if raw is not None else None
        except ValueError:
            data = None
        if not isinstance(data, dict):
            data = {"__invalid__": True}  # validated, and reset, by the caller
        return Stored(data, version.decode())

    async def put(self, key: str, data: dict[str, Any], expected: str | None, ttl: float | None = None) -> bool:
        encoded = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        ttl_ms = str(max(1, int(ttl * 1000))) if ttl else "0"
        try:
            done = await self._put(
                keys=[self._state(key)], args=[expected or "", secrets.token_hex(8), encoded, ttl_ms]
            )
        except (RedisError, OSError) as exc:
            raise StoreUnavailable(f"Redis write failed: {type(exc).__name__}") from exc
        return bool(done)

    async def delete(self, key: str) -> None:
        try:
            await self.client.delete(self._state(key))
        except (RedisError, OSError) as exc:
            raise StoreUnavailable(f"Redis delete failed: {type(exc).__name__}") from exc

    async def append(self, stream: str, record: dict[str, Any], ttl: float) -> None:
        now = self.clock()
        # A unique id in the member: two equal records are still two records.
        member = json.dumps({"id": secrets.token_hex(6), "at": now, "record": record}, ensure_ascii=False)
        name = self._stream(stream)
        try:
            async with self.client.pipeline(transaction=True) as pipe:
                pipe.zadd(name, {member: now})
                pipe.zremrangebyscore(name, "-inf", f"({now - ttl}")
                pipe.pexpire(name, max(1, int(ttl * 1000)))
                await pipe.execute()
        except (RedisError, OSError) as exc:
            raise StoreUnavailable(f"Redis append failed: {type(exc).__name__}") from exc

    async def records(self, stream: str, since: float = 0.0) -> list[dict[str, Any]]:
        members: list[bytes] = []
        try:
            # By pages: one reply of 100,000 records (the learning stats) outlasts OPERATION_TIMEOUT.
            while True:
                page = await self.client.zrangebyscore(self._stream(stream), since, "+inf",
                                                       start=len(members), num=RECORDS_PAGE)
                members += page
                if len(page) < RECORDS_PAGE:
                    break
        except (RedisError, OSError) as exc:
            raise StoreUnavailable(f"Redis read failed: {type(exc).__name__}") from exc
        try:  # one parse for all (the learning stats read 100,000s of records) ...
            items = json.loads(b"[" + b",".join(members) + b"]")
        except ValueError:  # ... and one by one if a member is not JSON
            items = []
            for member in members:
                try:
                    items.append(json.loads(member))
                except ValueError:
                    continue
        return [item["record"] for item in items if isinstance(item, dict) and isinstance(item.get("record"), dict)]

    async def close(self) -> None:
        await self.client.aclose()
