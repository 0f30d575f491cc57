"""Every test here runs at a fixed instant (tests/clock.py): 02/12/2026 12:00 Vietnam time; `clock.shift`
moves it on, `clock.move_to` jumps (the offline late and early submissions)."""

from collections.abc import Iterator

import pytest
import time_machine

from tests.clock import INSTANTS
from tests.server.study.factories import make_study_doc

NOW = INSTANTS["before-meeting-day"]  # 02/12/2026 12:00 (+07:00)


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Traveller]:
    """The instant every test of this package starts at; `clock.shift(seconds)` moves it on."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def doc(db, world):
    """A study material addressed to the world's district, committed."""
    d = make_study_doc(db, [world.district])
    db.commit()
    return d
