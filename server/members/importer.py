"""Bulk import of members from CSV and XLSX files exported by the member database: the rows read (by
server/members/import_file.py) are matched against the database, planned, written and reported."""

import secrets
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, col

from server.access import accounts
from server.auth.principal import Principal
from server.errors import Unprocessable
from server.members import service
from server.members.import_file import Parsed, Row, cell_text
from server.orgs import service as orgs
from server.records import audit
from server.records.changelog import record_changes
from server.records.members import Member, User
from server.records.orgs import Organization, OrgClosure
from shared.enums import MemberKind, OrgKind
from shared.schemas.members import ImportReport, ImportRowResult
from shared.text import fold

_CHUNK = 500
# An account created by import has no usable password until staff set one (never matches a hash).
_NO_PASSWORD = "!import-"


def _chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), _CHUNK):
        yield items[i:i + _CHUNK]


class _Scope:
    """Which organisations the caller administers, asked in batches."""

    def __init__(self, session: Session, principal: Principal):
        self.session = session
        self.principal = principal
        self._known: dict[int, bool] = {}

    def load(self, org_ids: Iterable[int]) -> None:
        todo = sorted({i for i in org_ids if i not in self._known})
        if self.principal.is_admin:
            self._known.update(dict.fromkeys(todo, True))
            return
        staff = self.principal.staff_org_ids
        for part in _chunks(todo):
            inside = set(self.session.execute(
                select(col(OrgClosure.descendant_id)).where(col(OrgClosure.descendant_id).in_(part),
                                                       col(OrgClosure.ancestor_id).in_(staff))
            ).scalars()) if staff else set()
            self._known.update({i: i in inside for i in part})

    def manages(self, org_id: int) -> bool:
        if org_id not in self._known:
            self.load([org_id])
        return self._known[org_id]


def _resolve_orgs(session: Session, principal: Principal, scope: _Scope, rows: list[Row],
                  default_org: Organization | None) -> None:
    codes = sorted({cell_text(r.values.get("org_code")) for r in rows} - {""})
    by_code: dict[str, Organization] = {}
    for part in _chunks(codes):
        by_code.update({o.code: o for o in session.execute(
            select(Organization).where(col(Organization.code).in_(part))).scalars()})
    by_name: dict[str, list[Organization]] = defaultdict(list)
    if any(cell_text(r.values.get("org_name")) and not cell_text(r.values.get("org_code")) for r in rows):
        query = select(Organization)
        if not principal.is_admin:
            query = query.where(col(Organization.id).in_(orgs.subtrees_ids(principal.staff_org_ids)))
        for found in session.execute(query).scalars():
            by_name[fold(found.name)].append(found)
    scope.load(o.id or 0 for o in by_code.values())
    for row in rows:
        code = cell_text(row.values.get("org_code"))
        name = cell_text(row.values.get("org_name"))
        org: Organization | None
        if code:
            org = by_code.get(code)
            if org is None or not scope.manages(org.id or 0):
                row.errors.append(f"Không tìm thấy chi bộ có mã '{code}' trong phạm vi bạn quản lý.")
                continue
        elif name:
            candidates = by_name.get(fold(name), [])
            if not candidates:
                row.errors.append(f"Không tìm thấy chi bộ '{name}' trong phạm vi bạn quản lý.")
                continue
            cells = [o for o in candidates if o.kind == OrgKind.cell]
            if len(cells) > 1:
                row.errors.append(f"Có {len(cells)} chi bộ tên '{name}'; hãy dùng cột 'Mã chi bộ'.")
                continue
            org = cells[0] if cells else candidates[0]
        elif default_org is not None:
            org = default_org
        else:
            row.errors.append("Thiếu chi bộ (cột 'Mã chi bộ' hoặc 'Chi bộ').")
            continue
        if org.kind != OrgKind.cell:
            row.errors.append(f"'{org.name}' không phải là chi bộ; đảng viên phải sinh hoạt tại một chi bộ.")
            continue
        row.org = org


def _flag_duplicates(rows: list[Row]) -> None:
    for key, label in (("card_number", "Số thẻ đảng viên"), ("username", "Tên đăng nhập")):
        seen: dict[str, list[Row]] = defaultdict(list)
        for row in rows:
            value = row.username if key == "username" else row.fields.get(key)
            if value:
                seen[value].append(row)
        for value, same in seen.items():
            if len(same) < 2:
                continue
            for row in same:
                others = ", ".join(str(o.number) for o in same if o is not row)
                row.errors.append(f"{label} {value} trùng với dòng {others} trong tệp.")


def _match_members(session: Session, principal: Principal, scope: _Scope, rows: list[Row]) -> None:
    cards = sorted({r.fields["card_number"] for r in rows if r.fields.get("card_number")})
    by_card: dict[str, Member] = {}
    for part in _chunks(cards):
        by_card.update({m.card_number or "": m for m in session.execute(
            select(Member).where(col(Member.card_number).in_(part))).scalars()})
    # A card typed into a number cell lost its leading zeros: "012345678" arrives as 12345678.
    unpadded = [r for r in rows if r.card_in_number_cell and r.fields["card_number"] not in by_card]
    padded = sorted({r.fields["card_number"].zfill(n) for r in unpadded
                     for n in range(len(r.fields["card_number"]) + 1, 13)})
    by_padded: dict[str, list[Member]] = defaultdict(list)
    for part in _chunks(padded):
        for m in session.execute(select(Member).where(col(Member.card_number).in_(part))).scalars():
            by_padded[(m.card_number or "").lstrip("0")].append(m)
    for row in unpadded:
        found = by_padded.get(row.fields["card_number"].lstrip("0"), [])
        if len(found) == 1 and found[0].card_number:
            row.fields["card_number"] = found[0].card_number
            by_card[found[0].card_number] = found[0]
    # Without a card number, the same name and birth date in the same cell is the same person.
    nameless = [r for r in rows if not r.fields.get("card_number") and r.org and r.fields.get("full_name")]
    by_identity: dict[tuple[str, date | None, int], list[Member]] = defaultdict(list)
    for part in _chunks(sorted({r.fields["full_name"] for r in nameless})):
        for m in session.execute(select(Member).where(col(Member.full_name).in_(part))).scalars():
            by_identity[(m.full_name, m.birth_date, m.org_id)].append(m)
    for row in rows:
        card = row.fields.get("card_number")
        if card:
            row.member = by_card.get(card)
        elif row in nameless and row.org is not None:
            key = (row.fields["full_name"], row.fields.get("birth_date"), row.org.id or 0)
            found = by_identity.get(key, [])
            row.member = found[0] if len(found) == 1 else None
    scope.load(r.member.org_id for r in rows if r.member)
    ids = sorted({r.member.id or 0 for r in rows if r.member})
    users: dict[int, User] = {}
    for part in _chunks(ids):
        users.update({u.member_id or 0: u for u in session.execute(
            select(User).where(col(User.member_id).in_(part))).scalars()})
    beyond = accounts.out_of_reach(session, principal, [u.id for u in users.values() if u.id is not None])
    for row in rows:
        if row.member is None:
            continue
        account = users.get(row.member.id or 0)
        if not scope.manages(row.member.org_id) or (account is not None and account.id in beyond):
            row.errors.append(f"Số thẻ {row.member.card_number} thuộc một đảng viên "
                              "ngoài phạm vi bạn quản lý.")
            row.member = None
            continue
        row.user = users.get(row.member.id or 0)


def _check_usernames(session: Session, rows: list[Row]) -> None:
    wanted = sorted({r.username for r in rows if r.username})
    owners: dict[str, int | None] = {}
    for part in _chunks(wanted):
        owners.update({u.username: u.member_id for u in session.execute(
            select(User).where(col(User.username).in_(part))).scalars()})
    for row in rows:
        if not row.username:
            continue
        if row.user is not None:
            if row.user.username != row.username:
                row.errors.append(f"Đảng viên đã có tài khoản '{row.user.username}'; "
                                  "không đổi tên đăng nhập qua nhập tệp.")
            row.username = None  # the account exists already
            continue
        if row.username in owners:
            row.errors.append(f"Tên đăng nhập '{row.username}' đã được dùng.")


def _diff(row: Row) -> None:
    member = row.member
    if member is None:
        return
    for key, value in row.fields.items():
        current = getattr(member, key)
        if getattr(value, "value", value) != current:
            row.changes[key] = value
    if row.org is not None and row.org.id != member.org_id:
        row.transfer = True


def plan(session: Session, principal: Principal, parsed: Parsed, default_org_id: int | None) -> list[Row]:
    """Match the parsed rows against the database: cells, existing members, usernames, what would change."""
    rows = parsed.rows
    has_org = {"org_code", "org_name"} & parsed.columns.index.keys()
    default_org = None
    if default_org_id is not None:
        principal.require_manages(session, default_org_id)
        default_org = orgs.get(session, default_org_id)
        if default_org.kind != OrgKind.cell:
            raise Unprocessable("Chi bộ mặc định phải là một chi bộ.", code="not_a_cell")
    elif not has_org:
        raise Unprocessable("Tệp thiếu cột 'Mã chi bộ' hoặc 'Chi bộ' và không chọn chi bộ mặc định.",
                            code="missing_columns")
    scope = _Scope(session, principal)
    _resolve_orgs(session, principal, scope, rows, default_org)
    _flag_duplicates(rows)
    _match_members(session, principal, scope, rows)
    _check_usernames(session, rows)
    for row in rows:
        _diff(row)
    return rows


def _common_ancestor(session: Session, cell_ids: set[int]) -> int | None:
    """The deepest organisation above every touched cell, so that subtree's staff see the import entry."""
    if not cell_ids:
        return None
    row = session.execute(
        select(col(OrgClosure.ancestor_id))
        .join(Organization, col(Organization.id) == col(OrgClosure.ancestor_id))
        .where(col(OrgClosure.descendant_id).in_(sorted(cell_ids)))
        .group_by(col(OrgClosure.ancestor_id), col(Organization.depth))
        .having(func.count() == len(cell_ids))
        .order_by(col(Organization.depth).desc())
        .limit(1)
    ).first()
    return int(row[0]) if row else None


def _apply(session: Session, principal: Principal, rows: list[Row]) -> None:
    today = date.today()
    valid = [r for r in rows if not r.errors and r.org is not None]
    new = [r for r in valid if r.member is None]
    ids = service.insert_members(
        session, principal, [(r.org.id or 0, {"kind": MemberKind.official, **r.fields})
                             for r in new if r.org], note="Nhập từ tệp")
    for row, member_id in zip(new, ids, strict=True):
        row.member_id = member_id
    for row in valid:
        if row.member is not None:
            row.member_id = row.member.id
    with session.no_autoflush:
        for row in valid:
            if row.member is not None and row.org is not None:
                if row.transfer:
                    service.move_member(session, principal, row.member, row.user, row.org, today,
                                        "Nhập từ tệp")
                service.apply_changes(session, principal, row.member, row.user, row.changes)
    with_account = [r for r in valid if r.username]
    user_ids = service.add_accounts(session, principal, [
        (r.member_id or 0, r.org.id or 0 if r.org else 0,
         r.member.full_name if r.member else r.fields.get("full_name") or "", r.username or "",
         _NO_PASSWORD + secrets.token_urlsafe(16))
        for r in with_account
    ])
    account_of = {id(r): user_id for r, user_id in zip(with_account, user_ids, strict=True)}
    # New members and new accounts: their change-log rows in one go (each device of the account sees it).
    record_changes(session, "member", [
        (r.member_id or 0, [account_of[id(r)]] if id(r) in account_of else [])
        for r in valid if r.member is None or id(r) in account_of
    ])
    session.flush()


def _row_result(row: Row) -> ImportRowResult:
    changes = sorted(row.changes) + (["org_id"] if row.transfer else [])
    changes += ["username"] if row.username else []
    return ImportRowResult(
        row=row.number, status=row.status, card_number=row.fields.get("card_number"),
        full_name=row.fields.get("full_name") or (cell_text(row.values.get("full_name")) or None),
        member_id=row.member.id if row.member else row.member_id, errors=row.errors,
        changes=changes if row.member is not None and not row.errors else [],
        org_id=row.org.id if row.org else None,
    )


@dataclass
class Outcome:
    """What an import did; turned into the report after the commit (20,000 row results took a second to
    build, and under the write lock every check-in waited for it)."""

    parsed: Parsed
    rows: list[Row]
    counts: dict[str, int]
    applied: bool
    dry_run: bool


def import_parsed(session: Session, principal: Principal, parsed: Parsed, filename: str | None, *,
                  default_org_id: int | None, import_valid_rows: bool, dry_run: bool) -> Outcome:
    """Plan the rows against the database and, unless refused or a dry run, write them (no commit)."""
    rows = plan(session, principal, parsed, default_org_id)
    statuses = ("created", "updated", "unchanged", "rejected")
    counts = {s: sum(1 for r in rows if r.status == s) for s in statuses}
    applied = bool(rows) and not dry_run and (counts["rejected"] == 0 or import_valid_rows)
    if applied:
        _apply(session, principal, rows)  # statuses stay as planned: new rows get member_id, not member
        touched = {r.org.id or 0 for r in rows if r.org is not None and not r.errors}
        audit.record(session, "member.import", actor=principal, target_type="import",
                     target_id=filename, org_id=_common_ancestor(session, touched),
                     detail={"file": filename, "type": parsed.kind, "rows": len(rows), **counts,
                             "import_valid_rows": import_valid_rows})
    return Outcome(parsed, rows, counts, applied, dry_run)


def report(outcome: Outcome) -> ImportReport:
    return ImportReport(applied=outcome.applied, dry_run=outcome.dry_run, file_type=outcome.parsed.kind,
                        ignored_columns=outcome.parsed.columns.ignored,
                        rows=[_row_result(r) for r in outcome.rows], **outcome.counts)
