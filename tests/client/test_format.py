"""Dates dd/mm/yyyy in Vietnam time, countdowns, typed dates."""

from datetime import UTC, datetime

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
