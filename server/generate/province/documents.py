"""Step: documents with their files, audiences, readers and comments."""

import random
from datetime import date, timedelta
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlmodel import Session, col

from server.documents import search
from server.documents.models import (
    Attachment,
    Document,
    DocumentAudience,
    DocumentComment,
    FileBlob,
    ReadMark,
)
from server.documents.stores import get_store
from server.generate import texts
from server.generate.province.base import (
    CENTRAL_ISSUERS,
    CHUNK,
    DOC_SPAN_DAYS,
    DOC_TYPES,
    ISSUE_LEVELS,
    PROVINCE,
    READS_MAX,
    RECENT_DAYS,
    Org,
    cumulative,
    local,
    make_pdf,
    nth_member,
)
from server.generate.province.state import Run
from server.generate.province.writer import (
    Doc,
    Writer,
    insert_rows,
)
from shared import docnumber
from shared.docnumber import DOC_TYPE_CODES, DOC_TYPE_LABELS, DocType
from shared.enums import OrgKind
from shared.text import fold, slug


class Documents(Run):
    """Step: documents with their files, audiences, readers and comments."""

    def store_files(self) -> None:
        """One small PDF per document type, stored before the documents' transaction (a database store
        writes through its own connection, which would wait on ours)."""
        store = get_store(self.settings)
        self.blobs: dict[str, tuple[str, int]] = {}
        for doc_type in DocType:
            label = DOC_TYPE_LABELS[doc_type]
            pdf = make_pdf([f"DANG BO TINH {fold(PROVINCE).upper()}", fold(label).upper(),
                            "Tai lieu thu nghiem do trinh tao du lieu sinh ra.",
                            "Khong phai van ban that; dung de do hieu nang."])
            writer = store.new_upload(max_bytes=max(len(pdf), 1024))
            writer.write(pdf)
            pending = writer.finish()
            store.put(pending)
            self.blobs[doc_type.value] = (pending.sha256, pending.size)

    def _issuers(self) -> dict[str, list[Org]]:
        """Who issues documents at each level; intermediate committees ("bộ phận") leave it to the commune."""
        pools: dict[str, list[Org]] = {level: [] for level, _ in ISSUE_LEVELS}
        for org in self.orgs:
            if org.kind is OrgKind.grassroots:
                if org.style != "area":
                    pools["grassroots"].append(org)
            else:
                pools[org.kind.value].append(org)
        return pools

    def _author(self, org: Org) -> int:
        """The account that wrote a document of `org`: a staff member of it or above, a cell's secretary."""
        if org.kind is OrgKind.cell:
            return self.user_id(org.lo)
        node: Org | None = org
        while node is not None:
            if self.staff_of.get(node.id):
                return self.user_id(self.staff_of[node.id][0])
            node = node.parent
        return self.admin_id

    @staticmethod
    def _committee(org: Org) -> str:
        """Who signs: "Ban Thường vụ Huyện ủy Yên Thành", "Đảng ủy xã Nam Hòa", the cell itself."""
        if org.kind in (OrgKind.province, OrgKind.district, OrgKind.block):
            return f"Ban Thường vụ {org.title}"
        return org.title or org.name

    def documents(self, session: Session) -> None:
        """Documents at every level, oldest first; most published, some drafts, scheduled, withdrawn,
        superseded; each with its audience, a PDF and its search index entry."""
        rng = self.rng("documents")
        pools = self._issuers()
        levels = [(level, w) for level, w in ISSUE_LEVELS if pools[level]]
        level_names, level_cum = [lv for lv, _ in levels], cumulative(levels)
        types = {key: ([t for t, _ in v], cumulative(v)) for key, v in DOC_TYPES.items()}
        ages = sorted((1 + int(rng.random() ** 1.3 * DOC_SPAN_DAYS) for _ in range(self.opt.documents)),
                      reverse=True)
        rows: list[dict[str, Any]] = []
        audience: list[dict[str, Any]] = []
        numbers: dict[tuple[int, str, int], int] = {}
        latest: dict[tuple[int, str], int] = {}  # (org, type) -> index of the newest published row
        superseded: list[dict[str, int]] = []
        committees: dict[int, list[Org]] = {}  # the committees under each one: audiences of some documents
        for org in self.orgs:
            if org.parent is not None and org.kind is not OrgKind.cell:
                committees.setdefault(org.parent.id, []).append(org)
        for k, age in enumerate(ages):
            doc_id = self.base["document"] + 1 + k
            level = rng.choices(level_names, cum_weights=level_cum)[0]
            org = rng.choice(pools[level])
            central = level == "province" and rng.random() < 0.4
            doc_type = rng.choices(*types["cell" if level == "cell" else "committee"])[0]
            issued = self.opt.until - timedelta(days=age)
            row, meta = self._document(rng, doc_id, org, doc_type, issued, age, central, numbers)
            targets = [org]
            if org.kind in (OrgKind.province, OrgKind.district) and not central and rng.random() < 0.06:
                children = committees.get(org.id, [])
                if len(children) >= 2:
                    targets = sorted(rng.sample(children, min(len(children), rng.randint(2, 3))),
                                     key=lambda o: o.id)
            meta.audience = [o.id for o in targets]
            meta.ranges = [(o.lo, o.hi) for o in targets]
            audience += [{"document_id": doc_id, "org_id": o.id} for o in targets]
            key = (org.id, doc_type.value)
            if row["status"] == "published":
                prev = latest.get(key)
                if prev is not None and rng.random() < 0.03:
                    old = rows[prev]
                    old.update(status="superseded", updated_at=row["published_at"])
                    row.update(replaces_id=old["id"], version=old["version"] + 1)
                    superseded.append({"old": old["id"], "new": doc_id})
                latest[key] = k
            rows.append(row)
            self.docs.append(meta)
        # Written only now: until the last document is drawn, a later one may supersede an earlier one.
        attachments, index = [], []
        bodies: dict[str, str] = {}  # bodies repeat (a few paragraphs combined): tokenise each once
        for row in rows:
            sha, _size = self.blobs[row["doc_type"]]
            label = f"{DOC_TYPE_LABELS[DocType(row['doc_type'])]} {row['number'] or row['id']}"
            attachments.append({"document_id": row["id"], "sha256": sha, "filename": f"{slug(label)}.pdf",
                                "created_by": row["created_by"], "created_at": row["created_at"]})
            # model_construct: only read by index_text, a third of the cost of a table model's __init__
            entry = search.index_text(Document.model_construct(
                title=row["title"], number=row["number"], type_code=row["type_code"], topic=row["topic"],
                summary=row["summary"], body=""))
            body = bodies.get(row["body"])
            if body is None:
                body = bodies[row["body"]] = search.index_text(Document.model_construct(
                    title="", number=None, type_code=None, topic=None, summary=None, body=row["body"])).body
            index.append({"id": row["id"], "title": entry.title, "summary": entry.summary, "body": body})
        insert_rows(session, Document, rows)
        if superseded:  # after the INSERT: the row pointed at must exist when the foreign key is checked
            table = Document.__table__  # type: ignore[attr-defined]
            session.execute(update(table).where(table.c.id == bindparam("old"))
                            .values(superseded_by_id=bindparam("new")), superseded)
        insert_rows(session, DocumentAudience, audience)
        known = set(session.execute(select(col(FileBlob.sha256))).scalars())
        insert_rows(session, FileBlob, [
            {"sha256": sha, "size": size, "content_type": "application/pdf", "created_at": self.rollout}
            for sha, size in sorted(set(self.blobs.values())) if sha not in known])
        insert_rows(session, Attachment, attachments)
        for start in range(0, len(index), CHUNK):
            search.bulk_index_rows(session, index[start:start + CHUNK])
        statuses: dict[str, int] = {}
        for row in rows:
            statuses[row["status"]] = statuses.get(row["status"], 0) + 1
        self.counts.update(document=len(rows), document_audience=len(audience),
                           document_attachment=len(attachments))
        self.progress.done("văn bản", f"{len(rows):,} văn bản ("
                           + ", ".join(f"{s} {n:,}" for s, n in sorted(statuses.items()))
                           + f"), {len(audience):,} nơi nhận")

    def _document(self, rng: random.Random, doc_id: int, org: Org, doc_type: DocType, issued: date, age: int,
                  central: bool, numbers: dict[tuple[int, str, int], int]) -> tuple[dict[str, Any], Doc]:
        """One document row (status, number, dates, texts) and what later phases keep of it."""
        roll = rng.random()
        status = ("draft" if age <= 30 and roll < 0.12 else "scheduled" if age <= 30 and roll < 0.17
                  else "withdrawn" if roll > 0.99 else "published")
        code = DOC_TYPE_CODES[doc_type]
        number = None
        if org.kind is not OrgKind.cell and status != "draft":
            if central:
                number = f"{rng.randint(1, 150)}-{code}/TW"
            else:
                key = (org.id, code, issued.year)
                numbers[key] = n = numbers.get(key, 0) + 1
                number = f"{n}-{code}/{org.issuer}"
        parsed = docnumber.parse(number) if number else None
        subject = rng.choice(texts.SUBJECTS).format(year=issued.year, next=issued.year + 1)
        cited = rng.choice(texts.CITED)
        if org.kind is OrgKind.cell:
            category, topic = "meeting", None
            title = f"Tài liệu sinh hoạt chi bộ tháng {issued.month:02d}/{issued.year} về {subject}"
        else:
            study = rng.random() < 0.12
            category, topic = ("study", rng.choice(texts.STUDY_TOPICS)) if study else ("documents", None)
            title = rng.choice(texts.TITLE_TEMPLATES[doc_type.value]).format(subject=subject, cited=cited)
        signer = rng.choice(CENTRAL_ISSUERS) if central else self._committee(org)
        summary = rng.choice(texts.SUMMARIES).format(cited=cited, issuer=signer, subject=subject)
        paragraphs = sorted(rng.sample(range(len(texts.BODY_PARAGRAPHS)), rng.randint(3, 6)))
        body = "\n\n".join(texts.BODY_PARAGRAPHS[p] for p in paragraphs)
        cap = self.until - timedelta(hours=1)
        published = publish_at = withdrawn = comments_until = None
        if status == "scheduled":
            publish_at = local(self.opt.until + timedelta(days=rng.randint(1, 10)), "07:30")
        elif status != "draft":
            hhmm = f"{rng.randint(7, 16)}:{rng.choice(('00', '15', '30', '45'))}"
            published = publish_at = min(local(issued + timedelta(days=rng.randint(0, 3)), hhmm), cap)
            if status == "withdrawn":
                withdrawn = min(published + timedelta(days=rng.randint(1, 20)), cap)
        elif rng.random() < 0.7:  # a draft opened for comments by the audience
            comments_until = local(self.opt.until + timedelta(days=rng.randint(5, 25)), "17:00")
        created = (published or self.until - timedelta(hours=rng.randint(2, 200))) - timedelta(
            days=rng.randint(1, 5))
        row = {
            "id": doc_id, "title": title, "doc_type": doc_type.value,
            "number": (parsed.display if parsed.explicit_code else parsed.number) if parsed else None,
            "number_key": next(iter(parsed.tokens()), None) if parsed else None,
            "type_code": code, "issuer": parsed.issuer if parsed else None,
            "issuer_key": fold(parsed.issuer).replace(" ", "") if parsed and parsed.issuer else None,
            "issued_on": issued if status != "draft" else None,
            "effective_on": issued if doc_type in (DocType.resolution, DocType.regulation, DocType.decision,
                                                   DocType.statute) and status != "draft" else None,
            "year": issued.year, "category": category, "topic": topic, "status": status,
            "publish_at": publish_at, "published_at": published, "withdrawn_at": withdrawn,
            "offline_allowed": rng.random() < 0.95, "comments_until": comments_until, "replaces_id": None,
            "superseded_by_id": None, "version": 1, "created_by": self._author(org), "created_at": created,
            "updated_at": withdrawn or published or created, "summary": summary, "body": body,
        }
        meta = Doc(id=doc_id, published_at=published, live=status == "published", category=category,
                   ranges=[], comments_open=comments_until is not None, audience=[], title=title,
                   summary=summary, doc_type=doc_type.value)
        return row, meta

    def reads(self, session: Session) -> None:
        """Read receipts for a share of the audience of recent documents, scaled to stay under READS_MAX."""
        rng = self.rng("reads")
        horizon = self.until - timedelta(days=RECENT_DAYS)
        # Superseded documents stay live too: `live` marks those published when generated.
        recent = [d for d in self.docs if d.live and d.published_at is not None and d.published_at >= horizon]
        # Fewer readers yet for the newest documents.
        shares = [rng.uniform(0.25, 0.85) * min(1.0, 0.1 + (self.until - published).days / 10)
                  for published in (d.published_at or self.until for d in recent)]
        sizes = [sum(hi - lo for lo, hi in d.ranges) for d in recent]
        potential = sum(s * n for s, n in zip(shares, sizes, strict=True))
        budget = min(READS_MAX, self.opt.members * 8)
        scale = min(1.0, budget / potential) if potential else 0.0
        writer = Writer(session, [ReadMark])
        cap = self.until - timedelta(minutes=1)
        mean = 1 / (2 * 86400)  # half of the readers open a document within about a day and a half
        for doc, share, size in zip(recent, shares, sizes, strict=True):
            published = doc.published_at
            assert published is not None
            for pick in sorted(rng.sample(range(size), int(size * share * scale))):
                i = nth_member(doc.ranges, pick)
                read_at = min(published + timedelta(seconds=rng.expovariate(mean)), cap)
                studied = (min(read_at + timedelta(hours=rng.uniform(1, 72)), cap)
                           if doc.category == "study" and rng.random() < 0.5 else None)
                writer.add(ReadMark, {
                    "document_id": doc.id, "user_id": self.user_id(i), "member_id": self.member_id(i),
                    "read_at": read_at, "studied_at": studied,
                    "received_at": min(read_at + timedelta(seconds=rng.randint(1, 3600)), cap)})
            writer.step()
        writer.flush()
        self.counts["document_read"] = writer.counts["document_read"]
        self.progress.done("lượt đọc", f"{self.counts['document_read']:,} lượt đọc của {len(recent):,} "
                                       f"văn bản {RECENT_DAYS} ngày gần nhất")

    def comments(self, session: Session) -> None:
        """A few comments on each draft open for comments, by members of its audience."""
        rng = self.rng("comments")
        rows = []
        for doc in self.docs:
            if not doc.comments_open:
                continue
            size = sum(hi - lo for lo, hi in doc.ranges)
            for pick in sorted(rng.sample(range(size), min(size, rng.randint(2, 10)))):
                i = nth_member(doc.ranges, pick)
                rows.append({"document_id": doc.id, "user_id": self.user_id(i),
                             "member_id": self.member_id(i), "org_id": self.cell_of[i],
                             "body": rng.choice(texts.COMMENTS),
                             "created_at": self.until - timedelta(minutes=rng.randint(10, 20_000))})
        self.counts["document_comment"] = insert_rows(session, DocumentComment, rows)
        self.progress.done("góp ý", f"{len(rows):,} góp ý dự thảo")
