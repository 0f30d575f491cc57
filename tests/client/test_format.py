"""Dates dd/mm/yyyy in Vietnam time, countdowns, typed dates."""

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest

from client import format as fmt


def test_dates_are_dd_mm_yyyy_in_vietnam_time():
    assert fmt.day("2022-06-16") == "16/06/2022"
    assert fmt.day("2026-11-23T18:30:00+00:00") == "24/11/2026"  # 01:30 next day in Hà Nội
    assert fmt.when("2026-11-23T12:30:00Z") == "19:30 23/11/2026"
    assert fmt.weekday_when("2026-11-23T12:30:00+00:00") == "Thứ Hai, 19:30 23/11/2026"
    assert fmt.day(None) == "" and fmt.when("không phải ngày") == ""


def test_countdown_reads_naturally():
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    assert fmt.countdown("2026-11-25T15:00:00+00:00", now) == "Còn 2 ngày 3 giờ"
    assert fmt.countdown("2026-11-23T13:05:00+00:00", now) == "Còn 1 giờ 5 phút"
    assert fmt.countdown("2026-11-23T12:00:20+00:00", now) == "Còn 1 phút"
    assert fmt.countdown("2026-11-23T11:00:00+00:00", now) == "Đã bắt đầu"


def test_typed_local_time_becomes_an_aware_instant():
    assert (
        fmt.local_input_to_utc("04/12/2026", "19:30").astimezone(UTC).isoformat()
        == "2026-12-04T12:30:00+00:00"
    )
    with pytest.raises(ValueError, match="dd/mm/yyyy"):
        fmt.local_input_to_utc("2026-12-04", "19:30")
    with pytest.raises(ValueError, match="HH:MM"):
        fmt.local_input_to_utc("04/12/2026", "7h30")


def test_the_local_day_turns_at_midnight_in_vietnam_not_in_utc():
    """Issue 12, item 10: 'today' for the meeting form's date picker."""
    assert fmt.local_today(datetime(2026, 12, 31, 16, 59, tzinfo=UTC)).isoformat() == "2026-12-31"  # 23:59
    assert fmt.local_today(datetime(2026, 12, 31, 17, 0, tzinfo=UTC)).isoformat() == "2027-01-01"  # 00:00


@pytest.mark.parametrize(
    "value",
    [
        date(2026, 12, 31),
        datetime(2026, 12, 31),  # naive local midnight
        datetime(2026, 12, 31, tzinfo=timezone(timedelta(hours=7))),  # midnight with its offset
        datetime(2026, 12, 30, 17, 0, tzinfo=UTC),  # Vietnam's midnight shifted to UTC: the day before
        datetime(2026, 12, 31, 5, 0, tzinfo=UTC),  # a device at UTC-5
        "2026-12-30T17:00:00.000Z",
    ],
)
def test_a_picked_day_is_the_day_chosen_whatever_form_it_arrives_in(value):
    assert fmt.picked_day(value) == date(2026, 12, 31)
    assert fmt.day_input(fmt.picked_day(value)) == "31/12/2026"


def test_a_picked_time_reads_hh_mm():
    assert fmt.time_input(fmt.picked_time(time(23, 59))) == "23:59"
    assert fmt.time_input(fmt.picked_time("07:05")) == "07:05"
    assert fmt.picked_time(None) is None and fmt.picked_time("sáng") is None

