"""One run of the generator: its steps in order, then notifications and the summary."""

from datetime import timedelta

from sqlalchemy import text
from sqlmodel import Session

from server.generate.province.base import Summary
from server.generate.province.documents import Documents
from server.generate.province.meetings import Meetings
from server.generate.province.people import People
from server.generate.province.writer import insert_rows
from server.generate.province.year import Year
from server.notifications.models import Notification
from shared.enums import OrgKind
from shared.timefmt import fmt_datetime

# A table with fewer rows than this at the end of a run is one the server fills; see finish().
FEW_ROWS = 1_000


class Generator(People, Documents, Meetings, Year):
    """One run: each phase writes its tables and leaves what the next needs (ids, member ranges)."""

    def notifications(self, session: Session) -> None:
        """What the inbox shows: a welcome, documents of the last 30 days, the upcoming meetings."""
        province = self.orgs[0]
        rows = [{"kind": "welcome", "title": "Chào mừng đến với Sổ tay đảng viên điện tử",
                 "body": "Văn bản, lịch sinh hoạt chi bộ và thông báo của cấp ủy được cập nhật tại đây.",
                 "ref_type": None, "ref_id": None, "user_id": None, "org_id": province.id,
                 "created_at": self.rollout}]
        heads = {"documents": "Văn bản mới", "study": "Tài liệu học tập mới",
                 "meeting": "Tài liệu họp chi bộ"}
        since = self.until - timedelta(days=30)
        for doc in self.docs:
            if doc.live and doc.published_at is not None and doc.published_at >= since:
                rows += [{"kind": "document_published", "title": f"{heads[doc.category]}: {doc.title}"[:200],
                          "body": doc.summary[:500], "ref_type": "document", "ref_id": doc.id,
                          "user_id": None, "org_id": org_id, "created_at": doc.published_at}
                         for org_id in doc.audience]
        for meeting_id, cell, title, starts, location in self.upcoming:
            rows.append({"kind": "meeting_scheduled", "title": f"Lịch sinh hoạt: {title}"[:200],
                         "body": f"Thời gian: {fmt_datetime(starts)}. Địa điểm: {location}",
                         "ref_type": "meeting", "ref_id": meeting_id, "user_id": None, "org_id": cell.id,
                         "created_at": min(starts - timedelta(days=12), self.until - timedelta(days=1))})
        self.counts["notification"] = insert_rows(session, Notification, rows)
        self.progress.done("thông báo", f"{len(rows):,} thông báo")

    def finish(self) -> None:
        """Move PostgreSQL's id sequences past the ids written here, refresh the planner's statistics."""
        with self.db.transaction() as session:
            dialect = session.get_bind().dialect.name
            if dialect == "postgresql":
                for name in ("organization", "member", "user_account", "document", "meeting", "commitment",
                             "study_check"):
                    session.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                        f"COALESCE((SELECT max(id) FROM {name}), 0) + 1, false)"))
            session.execute(text("ANALYZE"))
            if dialect == "sqlite":
                # A table the server fills (the audit log: every check-in) is nearly empty here. Measured
                # at one row, the planner would scan it for good, index or not: the check-in batch's
                # throttle lookup did, 9% of a worker's time on an evening. Without statistics it assumes
                # a large table and uses the index.
                session.execute(text(
                    "DELETE FROM sqlite_stat1 WHERE tbl IN (SELECT tbl FROM sqlite_stat1 "
                    "WHERE CAST(stat AS INTEGER) < :few)"), {"few": FEW_ROWS})
        if dialect == "sqlite":
            # Outside any transaction (the engine's BEGIN hook would wrap a pooled connection in one): fold
            # the write-ahead log, gigabytes after a full run, back into the database file.
            raw = self.db.engine.raw_connection()
            try:
                raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
            finally:
                raw.close()
        self.progress.done("hoàn tất", "thống kê cho bộ lập kế hoạch truy vấn")

    def summary(self) -> Summary:
        """The counts, and one account of each kind to sign in with."""
        province = self.orgs[0]
        cell = next((c for c in self.cells if c.style in ("village", "urban")), self.cells[0])
        commune = next((o for o in self.orgs if o.style == "commune" and self.staff_of.get(o.id)), None)
        district = next((o for o in self.orgs if o.kind is OrgKind.district), None)
        samples = [("đảng viên", self.usernames[cell.hi - 1], cell.name),
                   ("bí thư chi bộ", self.usernames[cell.lo], cell.name)]
        for who, org in (("cán bộ xã", commune), ("cán bộ huyện", district), ("cán bộ tỉnh", province)):
            if org is not None:
                samples.append((who, self.usernames[self.staff_of[org.id][0]], org.name))
        samples.append(("quản trị", self.admin, "toàn hệ thống"))
        return Summary(counts=dict(self.counts), samples=samples, phases=self.progress.phases,
                       password=self.opt.password)
