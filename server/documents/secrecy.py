"""State secrets stay out: a document stamped Mật/Tối mật/Tuyệt mật (chosen, or written in its title or
number) is refused, and the refusal is audited in its own transaction after the write is rolled back."""

from collections.abc import Sequence

from sqlmodel import Session

from server.auth.principal import Principal
from server.documents import repository
from server.errors import Unprocessable
from server.records import audit
from shared.secrecy import Secrecy, refusal_message, stamp_in

ENTITY = "document"


class SecretDocumentRefused(Unprocessable):
    """A document stamped Mật/Tối mật/Tuyệt mật: refused; the router audits the refusal after rollback."""

    code = "state_secret_refused"

    def __init__(self, level: Secrecy, source: str, title: str | None):
        super().__init__(refusal_message(level), code=self.code)
        self.level = level
        self.source = source
        self.title = title


def check_secrecy(secrecy: Secrecy | None, title: str | None, number: str | None) -> None:
    if secrecy and secrecy != Secrecy.none:
        raise SecretDocumentRefused(secrecy, "secrecy", title)
    for source, value in (("title", title), ("number", number)):
        level = stamp_in(value)
        if level is not None:
            raise SecretDocumentRefused(level, source, title)


def audit_refusal(
    session: Session,
    principal: Principal,
    exc: SecretDocumentRefused,
    org_ids: Sequence[int],
    document_id: int | None = None,
) -> None:
    """Write the refusal in its own transaction (the refused write itself was rolled back)."""
    # The audience was not validated (the refusal comes first): keep only organisations that exist.
    wanted = list(dict.fromkeys(org_ids))[:200]
    existing = repository.existing_org_ids(session, wanted)
    known = [o for o in wanted if o in existing]
    audit.record(
        session,
        "document.secret_refused",
        actor=principal,
        target_type=ENTITY,
        target_id=document_id,
        org_id=known[0] if known else principal.cell_id,
        detail={
            "level": exc.level.value,
            "found_in": exc.source,
            "title": (exc.title or "")[:200],
            "audience": known,
        },
    )
