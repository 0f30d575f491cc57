"""A stream's mailbox: the newest hints kept for a slow reader, a waiting reader woken by the next one."""

import asyncio

from server.sync.bus import Hint, Mailbox


def test_a_slow_reader_gets_the_newest_hints_in_order():
    async def scenario() -> list[int]:
        box = Mailbox(size=3)
        for version in range(1, 6):
            box.put(Hint(version=version))
        return [(await box.get()).version for _ in range(len(box))]

    assert asyncio.run(scenario()) == [3, 4, 5]


def test_a_waiting_reader_wakes_on_the_next_hint():
    async def scenario() -> int:
        box = Mailbox()
        reader = asyncio.create_task(box.get())
        await asyncio.sleep(0)
        assert not reader.done()
        box.put(Hint(version=7))
        return (await asyncio.wait_for(reader, timeout=5)).version

    assert asyncio.run(scenario()) == 7
