"""Dates, times and months as a Vietnamese reader expects them: dd/mm/yyyy in Asia/Ho_Chi_Minh."""

from datetime import UTC, date, datetime

import pytest

from shared.timefmt import fmt_date, fmt_datetime, fmt_month


@pytest.mark.parametrize("value,shown", [
    ("2026-12", "12/2026"), ("2027-01", "01/2027"), ("", ""), (None, ""), ("tháng sau", "tháng sau"),
    ("2026-13", "2026-13"),
])
def test_months_read_month_then_year(value, shown):
    assert fmt_month(value) == shown


def test_the_last_minute_of_the_year_in_vietnam():
    instant = datetime(2026, 12, 31, 16, 59, tzinfo=UTC)  # 23:59 on 31/12 in Vietnam
    assert fmt_datetime(instant) == "23:59 31/12/2026"
    assert fmt_date(instant) == "31/12/2026"
    assert fmt_date(datetime(2026, 12, 31, 17, 0, tzinfo=UTC)) == "01/01/2027"
    assert fmt_date(date(2026, 12, 20)) == "20/12/2026"
