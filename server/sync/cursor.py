"""Feed cursors: opaque strings for clients, two shapes inside.

- delta  "d.<version>.<fingerprint>": every change up to <version> has been delivered for that view;
- snapshot "s.<version>.<fingerprint>.<type index>.<after id>": a full snapshot taken at <version> is
  being paged through; after its last page the cursor becomes delta at <version>.
"""

import base64
import binascii
from dataclasses import dataclass

from server.errors import BadRequest

_INVALID = "Con trỏ đồng bộ không hợp lệ. Hãy đồng bộ lại từ đầu."


@dataclass(frozen=True)
class Cursor:
    version: int
    fingerprint: str
    snapshot: bool = False
    type_index: int = 0
    after_id: int = 0

    def encode(self) -> str:
        if self.snapshot:
            raw = f"s.{self.version}.{self.fingerprint}.{self.type_index}.{self.after_id}"
        else:
            raw = f"d.{self.version}.{self.fingerprint}"
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode(value: str) -> Cursor:
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
        parts = raw.split(".")
        if parts[0] == "d" and len(parts) == 3:
            return Cursor(version=int(parts[1]), fingerprint=parts[2])
        if parts[0] == "s" and len(parts) == 5:
            return Cursor(version=int(parts[1]), fingerprint=parts[2], snapshot=True,
                          type_index=int(parts[3]), after_id=int(parts[4]))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise BadRequest(_INVALID, code="invalid_cursor")


def version_of(value: str) -> int:
    return decode(value).version
