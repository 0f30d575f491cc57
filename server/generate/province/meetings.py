"""Step: months of meetings with agendas, attendance and absence requests."""

import random
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session

from server.generate import texts
from server.generate.province.base import (
    EXEMPT,
    Org,
    linked,
    local,
    minutes_text,
    month_add,
)
from server.generate.province.state import Run
from server.generate.province.writer import Writer
from server.meetings.models import AbsenceRequest, AgendaItem, Attendance, Meeting
from shared.timefmt import VN_TZ


class Meetings(Run):
    """Step: months of meetings with agendas, attendance and absence requests."""

    def meetings(self, session: Session) -> None:
        """Per cell: a regular meeting each month (closed, with attendance and minutes), a thematic one in
        the middle month of most quarters, and the next regular meeting scheduled."""
        rng = self.rng("meetings")
        links = self._document_index()
        writer = Writer(session, [Meeting, AgendaItem, Attendance, AbsenceRequest])
        self.next_meeting = self.base["meeting"] + 1
        self.upcoming: list[tuple[int, Org, str, datetime, str]] = []
        attendance = {c.id: rng.uniform(0.8, 0.98) for c in self.cells}
        first = month_add(self.opt.until.year, self.opt.until.month, -self.opt.months)
        held_last: set[int] = set()
        for step in range(self.opt.months + 2):
            year, month = month_add(*first, step)
            for cell in self.cells:
                assert cell.meeting_day is not None and cell.meeting_time is not None
                starts = local(date(year, month, cell.meeting_day), cell.meeting_time)
                closed = starts + timedelta(hours=2) <= self.until
                if step == self.opt.months + 1 and cell.id not in held_last:
                    continue  # the month of --until is still ahead for this cell: that one is the next
                if step == self.opt.months and closed:
                    held_last.add(cell.id)
                prev = month_add(year, month, -1)[1]
                agenda = [t.format(prev=f"{prev:02d}", month=f"{month:02d}") for t in texts.REGULAR_AGENDA]
                docs = linked(links, cell.path, starts)
                title = f"Sinh hoạt chi bộ thường kỳ tháng {month:02d}/{year}"
                self._meeting(writer, rng, cell, "regular", title, starts, closed, f"{year:04d}-{month:02d}",
                              agenda, docs, attendance[cell.id])
                thematic = local(date(year, month, 15), cell.meeting_time)
                if (month % 3 == 2 and step < self.opt.months and thematic + timedelta(hours=2) <= self.until
                        and rng.random() < 0.75):
                    self._meeting(writer, rng, cell, "thematic", rng.choice(texts.THEMATIC), thematic, True,
                                  None, texts.THEMATIC_AGENDA, [], attendance[cell.id])
        writer.flush()
        self.counts.update(writer.counts)
        self.progress.done("sinh hoạt", f"{writer.counts['meeting']:,} buổi sinh hoạt, "
                                        f"{writer.counts['attendance']:,} lượt điểm danh, "
                                        f"{writer.counts['meeting_agenda_item']:,} mục nội dung, "
                                        f"{writer.counts['absence_request']:,} đơn báo vắng")

    def _document_index(self) -> dict[int, tuple[list[float], list[int]]]:
        """Live documents by audience organisation, by publication time: what a meeting can take up."""
        pairs: dict[int, list[tuple[float, int]]] = {}
        for doc in self.docs:
            if doc.live and doc.published_at is not None:
                for org_id in doc.audience:
                    pairs.setdefault(org_id, []).append((doc.published_at.timestamp(), doc.id))
        return {org_id: ([t for t, _ in sorted(v)], [i for _, i in sorted(v)]) for org_id, v in pairs.items()}

    def _meeting(self, writer: Writer, rng: random.Random, cell: Org, kind: str, title: str,
                 starts: datetime, closed: bool, regular_month: str | None, agenda: list[str],
                 docs: list[int], p: float) -> None:
        """One meeting with its agenda; held ones with attendance and minutes, upcoming ones with a few
        absence requests waiting for the secretary."""
        meeting_id = self.next_meeting
        self.next_meeting += 1
        secretary = self.user_id(cell.lo)
        ends = starts + timedelta(hours=2)
        drafted = min(starts - timedelta(days=12), self.until - timedelta(days=1))
        place = cell.name.removeprefix("Chi bộ ")
        location = f"Nhà văn hóa {place}" if cell.style in ("village", "urban") else f"Phòng họp {place}"
        row = {
            "id": meeting_id, "org_id": cell.id, "kind": kind, "status": "closed" if closed else "scheduled",
            "title": title, "starts_at": starts, "ends_at": ends, "location": location, "online_link": None,
            "description": None, "regular_month": regular_month, "checkin_before_minutes": 30,
            "checkin_after_minutes": 60, "grace_minutes": 10, "checkin_secret": None, "checkin_interval": 30,
            "checkin_opened_at": starts - timedelta(minutes=30) if closed else None, "minutes_text": None,
            "minutes_published_at": None, "minutes_updated_by": None, "cancel_reason": None,
            "closed_at": ends if closed else None, "cancelled_at": None, "created_by": secretary,
            "created_at": drafted, "updated_at": ends if closed else drafted,
        }
        if closed:
            tally = self._attend(writer, rng, cell, meeting_id, starts, p)
            row["minutes_text"] = minutes_text(cell, title, location, starts, tally)
            row["minutes_published_at"] = ends + timedelta(days=1)
            row["minutes_updated_by"] = secretary
        else:
            self.upcoming.append((meeting_id, cell, title, starts, location))
            for i in range(cell.lo, cell.hi):
                if rng.random() < 0.01:
                    asked = self.until - timedelta(hours=rng.randint(1, 72))
                    writer.add(AbsenceRequest, {
                        "meeting_id": meeting_id, "member_id": self.member_id(i),
                        "reason": rng.choice(texts.EXCUSES), "status": "pending", "decided_by": None,
                        "decided_at": None, "decision_note": None,
                        "created_at": asked, "updated_at": asked})
        writer.add(Meeting, row)
        for position, item in enumerate(agenda, start=1):
            writer.add(AgendaItem, {"meeting_id": meeting_id, "position": position, "title": item,
                                    "presenter": "Bí thư chi bộ" if position == 1 else None, "notes": None,
                                    "document_ids": docs if position == 2 else []})
        writer.step()

    def _attend(self, writer: Writer, rng: random.Random, cell: Org, meeting_id: int, starts: datetime,
                p: float) -> dict[str, int]:
        """Attendance of a held meeting: check-ins, a few marked by hand, excused absences with their
        approved request, absences set at closing. Returns the tally the minutes state."""
        secretary = self.user_id(cell.lo)
        day = starts.astimezone(VN_TZ).date().toordinal()
        ends = starts + timedelta(hours=2)
        tally = {"roster": 0, "present": 0, "late": 0, "excused": 0, "absent": 0}
        for i in range(cell.lo, cell.hi):
            if self.joined[i] > day:
                continue  # not in this cell yet
            exempt = self.kind[i] == EXEMPT
            if exempt and rng.random() > 0.15:
                continue  # exempt members rarely come and are not expected
            if exempt or rng.random() < p:
                status = "late" if rng.random() < 0.07 else "present"
            else:
                status = "excused" if rng.random() < 0.55 else "absent"
            tally["roster"] += not exempt
            tally[status] += 1
            member_id = self.member_id(i)
            row: dict[str, Any] = {
                "meeting_id": meeting_id, "member_id": member_id, "status": status, "expected": not exempt,
                "source": "close", "note": None, "client_id": None, "checkin_fingerprint": None,
                "checkin_status": None, "checked_in_at": None, "checkin_recorded_at": None,
                "checkin_offline": False, "updated_by": None, "updated_at": ends}
            if status in ("present", "late") and rng.random() < 0.92:
                at = starts + (timedelta(minutes=rng.randint(11, 45)) if status == "late"
                               else -timedelta(minutes=rng.randint(0, 25)))
                offline = rng.random() < 0.03
                recorded = at + timedelta(minutes=rng.randint(20, 600)) if offline else at
                row.update(source="checkin", client_id=f"gen-{meeting_id}-{member_id}", checkin_status=status,
                           checked_in_at=at, checkin_recorded_at=recorded, checkin_offline=offline,
                           updated_at=recorded)
            elif status in ("present", "late"):
                row.update(source="manual", updated_by=secretary)
            elif status == "excused":
                reason = rng.choice(texts.EXCUSES)
                decided = starts - timedelta(days=1)
                row.update(source="absence_request", note=reason, updated_by=secretary, updated_at=decided)
                writer.add(AbsenceRequest, {
                    "meeting_id": meeting_id, "member_id": member_id, "reason": reason, "status": "approved",
                    "decided_by": secretary, "decided_at": decided, "decision_note": None,
                    "created_at": decided - timedelta(days=1), "updated_at": decided})
            writer.add(Attendance, row)
        return tally
