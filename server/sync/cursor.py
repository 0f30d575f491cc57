"""Feed cursors: opaque strings for clients, two shapes inside.

- delta  "d.<version>.<fingerprint>[.<scope>.<mac>]": every change up to <version> has been delivered for
  that view. <scope> names the change-log scopes the view follows (its user and organisations), so an
  up-to-date poll can be answered from the log alone (server/sync/idle.py); <mac> signs the cursor with
  the server's key, so a client cannot point it at scopes it does not follow;
- snapshot "s.<version>.<fingerprint>.<type index>.<after id>": a full snapshot taken at <version> is
  being paged through; after its last page the cursor becomes delta at <version>.
"""

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass

from server.errors import BadRequest

_INVALID = "Con trỏ đồng bộ không hợp lệ. Hãy đồng bộ lại từ đầu."


@dataclass(frozen=True)
class Scope:
    """The change-log scopes a device view follows: its user, and the organisations it holds."""

    user_id: int
    org_ids: tuple[int, ...]

    def token(self) -> str:
        return f"{self.user_id}o{'_'.join(map(str, self.org_ids))}"

    @classmethod
    def parse(cls, token: str) -> "Scope":
        user, _, orgs = token.partition("o")
        return cls(int(user), tuple(int(o) for o in orgs.split("_") if o))


@dataclass(frozen=True)
class Cursor:
    version: int
    fingerprint: str
    snapshot: bool = False
    type_index: int = 0
    after_id: int = 0
    scope: Scope | None = None  # delta cursors only
    signed: bool = False  # decoded: whether its scope came with a valid signature (see `decode`)

    def encode(self, key: bytes | None = None) -> str:
        if self.snapshot:
            raw = f"s.{self.version}.{self.fingerprint}.{self.type_index}.{self.after_id}"
        elif self.scope is not None and key:
            body = f"d.{self.version}.{self.fingerprint}.{self.scope.token()}"
            raw = f"{body}.{_mac(key, body)}"
        else:
            raw = f"d.{self.version}.{self.fingerprint}"
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def up_to_date(version: int, fingerprint: str, scope: Scope | None, key: bytes | None) -> str:
    """The cursor of a device that has every change up to `version` under the view `fingerprint` names.

    The one place both answers of a poll make it: the full feed (server/sync/service.py `delta_cursor`, from
    the view it built) and the idle poll (server/sync/idle.py, from the cursor it was shown).
    """
    return Cursor(version, fingerprint, scope=scope).encode(key)


def cursor_key(secret: str) -> bytes:
    """The key that signs cursors, derived from the server's secret (not the secret itself)."""
    return hashlib.sha256(b"sotay sync cursor\0" + secret.encode()).digest()


def _mac(key: bytes, body: str) -> str:
    return hmac.new(key, body.encode(), hashlib.sha256).hexdigest()[:20]


def decode(value: str, key: bytes | None = None) -> Cursor:
    """Parse a cursor; with `key`, a delta cursor's scope is kept only if its signature checks out."""
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
        parts = raw.split(".")
        if parts[0] == "d" and len(parts) in (3, 5):
            scope, signed = None, False
            if len(parts) == 5 and key is not None:
                signed = hmac.compare_digest(parts[4], _mac(key, ".".join(parts[:4])))
                scope = Scope.parse(parts[3]) if signed else None
            return Cursor(version=int(parts[1]), fingerprint=parts[2], scope=scope, signed=signed)
        if parts[0] == "s" and len(parts) == 5:
            return Cursor(version=int(parts[1]), fingerprint=parts[2], snapshot=True,
                          type_index=int(parts[3]), after_id=int(parts[4]))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise BadRequest(_INVALID, code="invalid_cursor")


def version_of(value: str) -> int:
    return decode(value).version
