"""The StateStore protocol, against both implementations: files in tmp_path, and a real Redis."""

from __future__ import annotations

import asyncio
import json
import time

import pytest

from bot.stores import FileStore, StoreUnavailable
from tests.integration.stores import fill, make_store, remount_read_only, tmpfs

DAY = 24 * 3600.0


class Clock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["file", "redis"])
def kind(request) -> str:
    return request.param


@pytest.fixture
async def store(kind, tmp_path, request):
    url = request.getfixturevalue("redis_url") if kind == "redis" else None
    store = make_store(kind, tmp_path, url)
    yield store
    await store.close()


async def test_a_value_is_read_back_with_a_version(store):
    assert (await store.get("chat:1")).data is None
    assert await store.put("chat:1", {"place": "Brest"}, expected=None)
    stored = await store.get("chat:1")
    assert stored.data == {"place": "Brest"} and stored.version


async def test_compare_and_set_refuses_a_writer_who_read_an_older_version(store):
    await store.put("chat:1", {"n": 1}, expected=None)
    first_reader = await store.get("chat:1")
    second_reader = await store.get("chat:1")
    assert await store.put("chat:1", {"n": 2}, expected=first_reader.version)
    assert not await store.put("chat:1", {"n": 3}, expected=second_reader.version)
    assert (await store.get("chat:1")).data == {"n": 2}, "the first writer's value is kept"
    assert not await store.put("chat:1", {"n": 4}, expected=None), "it exists: 'absent' is stale too"


async def test_a_value_disappears_after_its_ttl(store):
    await store.put("chat:1", {"n": 1}, expected=None, ttl=0.3)
    await store.put("chat:2", {"n": 2}, expected=None)
    assert (await store.get("chat:1")).data == {"n": 1}
    await asyncio.sleep(0.5)
    assert (await store.get("chat:1")).data is None
    assert (await store.get("chat:2")).data == {"n": 2}, "no ttl: kept"
    assert await store.put("chat:1", {"n": 3}, expected=None), "an expired key is absent for CAS too"


async def test_delete_forgets_and_an_old_version_cannot_bring_it_back(store):
    await store.put("chat:1", {"n": 1}, expected=None)
    old = await store.get("chat:1")
    await store.delete("chat:1")
    await store.delete("chat:1")  # twice: no error
    assert (await store.get("chat:1")).data is None
    assert not await store.put("chat:1", {"n": 2}, expected=old.version)


async def test_records_come_back_oldest_first_and_old_ones_are_pruned(kind, tmp_path, request):
    clock = Clock()
    url = request.getfixturevalue("redis_url") if kind == "redis" else None
    store = make_store(kind, tmp_path, url, clock=clock)
    try:
        await store.append("learning", {"q": "dla"}, ttl=DAY)
        clock.now += 60
        await store.append("learning", {"q": "scic"}, ttl=DAY)
        await store.append("other", {"q": "x"}, ttl=DAY)
        assert await store.records("learning") == [{"q": "dla"}, {"q": "scic"}]
        assert await store.records("learning", since=clock.now) == [{"q": "scic"}]
        clock.now += 3 * DAY
        await store.append("learning", {"q": "cress"}, ttl=DAY)
        assert await store.records("learning") == [{"q": "cress"}], "records older than the ttl are gone"
        assert await store.records("other") == [{"q": "x"}], "pruning one stream leaves the others"
    finally:
        await store.close()


async def test_check_passes_on_a_usable_store(store):
    await store.check()


# -- files ---------------------------------------------------------------------------------------


async def test_file_store_loads_nothing_at_start_and_reads_a_miss_from_disk(tmp_path):
    writer = FileStore(tmp_path)
    for n in range(20):
        await writer.put(f"chat:{n}", {"n": n}, expected=None)
    reader = FileStore(tmp_path)
    assert len(reader._cache) == 0
    assert (await reader.get("chat:7")).data == {"n": 7}


async def test_file_store_keeps_only_recent_conversations_in_memory(tmp_path):
    store = FileStore(tmp_path, cache_size=3)
    for n in range(10):
        await store.put(f"chat:{n}", {"n": n}, expected=None)
    assert len(store._cache) == 3
    assert [(await store.get(f"chat:{n}")).data for n in range(10)] == [{"n": n} for n in range(10)]


async def test_file_store_write_interrupted_before_its_rename_leaves_the_previous_value(tmp_path):
    store = FileStore(tmp_path)
    await store.put("chat:5", {"pending": "place"}, expected=None)
    path = store.path("chat:5")
    path.with_name(path.name + ".tmp").write_text('{"v": "x", "data": {"pen')  # killed mid-write
    assert (await FileStore(tmp_path).get("chat:5")).data == {"pending": "place"}


async def test_file_store_append_cut_short_leaves_the_previous_value(tmp_path):
    store = FileStore(tmp_path)
    assert await store.put("chat:5", {"pending": "place"}, expected=None)
    await store.put("chat:5", {"n": 2}, expected=(await store.get("chat:5")).version)
    with open(store.path("chat:5"), "ab") as handle:  # killed in the middle of the next append
        handle.write(b'\n{"v": "x", "exp": null, "data": {"pen')
    reader = FileStore(tmp_path)
    stored = await reader.get("chat:5")
    assert stored.data == {"n": 2}
    assert await reader.put("chat:5", {"n": 3}, expected=stored.version)
    assert (await FileStore(tmp_path).get("chat:5")).data == {"n": 3}


async def test_file_store_file_of_many_writes_stays_small_and_reads_the_last(tmp_path):
    store = FileStore(tmp_path)
    version = None
    for n in range(200):
        assert await store.put("chat:1", {"n": n, "pad": "x" * 100}, expected=version)
        version = (await store.get("chat:1")).version
    assert store.path("chat:1").stat().st_size <= 4096
    assert (await FileStore(tmp_path).get("chat:1")).data["n"] == 199


async def test_file_store_keeps_a_superseded_value_on_disk_no_more_than_an_hour(tmp_path):
    clock = Clock()
    store = FileStore(tmp_path, clock=clock)
    version = None
    for place in ("Brest", "Lyon", "Lille"):
        assert await store.put("chat:1", {"place": place}, expected=version, ttl=30 * 86400)
        version = (await store.get("chat:1")).version
        clock.now += 1900
    text = store.path("chat:1").read_text(encoding="utf-8")
    assert "Brest" not in text and "Lyon" not in text and "Lille" in text


async def test_file_store_does_not_rewrite_when_the_version_is_stale_even_after_eviction(tmp_path):
    store = FileStore(tmp_path, cache_size=1)
    await store.put("chat:1", {"n": 1}, expected=None)
    stale = await store.get("chat:1")
    await store.put("chat:1", {"n": 2}, expected=stale.version)
    await store.put("chat:2", {"n": 0}, expected=None)  # evicts chat:1 from memory
    assert not await store.put("chat:1", {"n": 3}, expected=stale.version)


async def test_file_store_sweep_deletes_expired_files_nobody_reads(tmp_path):
    clock = Clock()
    store = FileStore(tmp_path, clock=clock, cache_size=1)
    await store.put("chat:1", {"n": 1}, expected=None, ttl=60)
    await store.put("chat:2", {"n": 2}, expected=None, ttl=3600)
    await store.put("chat:3", {"n": 3}, expected=None)  # the only one in memory
    clock.now += 120
    assert store.sweep() == 1
    assert not store.path("chat:1").exists() and store.path("chat:2").exists()


async def test_file_store_check_fails_when_the_data_dir_is_a_file(tmp_path):
    (tmp_path / "data").write_text("not a directory")
    with pytest.raises(StoreUnavailable, match="not writable"):
        await FileStore(tmp_path / "data").check()


async def test_file_store_check_fails_on_a_read_only_filesystem(tmp_path):
    with tmpfs(tmp_path / "mnt") as mnt:
        remount_read_only(mnt)
        with pytest.raises(StoreUnavailable):
            await FileStore(mnt / "data").check()


async def test_file_store_check_and_writes_fail_on_a_full_filesystem(tmp_path):
    with tmpfs(tmp_path / "mnt") as mnt:
        store = FileStore(mnt / "data")
        await store.check()
        await store.put("chat:1", {"n": 1}, expected=None)
        fill(mnt)
        with pytest.raises(StoreUnavailable):
            await FileStore(mnt / "data").check()
        current = await store.get("chat:1")
        with pytest.raises(StoreUnavailable):
            await store.put("chat:1", {"n": 2, "pad": "x" * 8000}, expected=current.version)
        assert (await store.get("chat:1")).data == {"n": 1}, "memory did not move on without the disk"
        assert json.loads(store.path("chat:1").read_text())["data"] == {"n": 1}


# -- redis ---------------------------------------------------------------------------------------


async def test_redis_store_check_fails_when_redis_is_unreachable():
    import socket

    from bot.stores.redis_store import RedisStore

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens there once the socket is closed
    store = RedisStore(f"redis://127.0.0.1:{port}/0")
    started = time.monotonic()
    with pytest.raises(StoreUnavailable, match="unreachable"):
        await store.check()
    assert time.monotonic() - started < 5
    await store.close()
