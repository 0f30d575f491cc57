"""File storage behind an interface: content-addressed by SHA-256; LocalFileStore writes to data_dir/files.

`SOTAY_FILE_STORE=database` keeps the files in PostgreSQL instead (server/documents/dbstore.py), for
installations on several hosts; server/documents/stores.py picks the configured one. This module imports
neither of them.
"""

import hashlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from server.errors import PayloadTooLarge

CHUNK = 1024 * 1024
_HEAD = 8192


@dataclass
class PendingFile:
    """An upload written to a temporary file while hashing: not yet in the store."""

    path: Path
    sha256: str
    size: int
    head: bytes  # the first bytes, to recognise the type

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


class TempWriter:
    """Receives an upload chunk by chunk: hashes, counts, refuses beyond the limit, never holds it whole."""

    def __init__(self, directory: Path, max_bytes: int):
        directory.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix="upload-", dir=directory)
        self._file = os.fdopen(fd, "wb")
        self.path = Path(name)
        self.max_bytes = max_bytes
        self._hash = hashlib.sha256()
        self.size = 0
        self._head = bytearray()

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.max_bytes:
            self.abort()
            mib = self.max_bytes / (1024 * 1024)
            raise PayloadTooLarge(f"Tệp vượt quá giới hạn {mib:.0f} MB.", code="file_too_large")
        if len(self._head) < _HEAD:
            self._head.extend(chunk[: _HEAD - len(self._head)])
        self._hash.update(chunk)
        self._file.write(chunk)

    def abort(self) -> None:
        if not self._file.closed:
            self._file.close()
        self.path.unlink(missing_ok=True)

    def finish(self) -> PendingFile:
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        return PendingFile(
            path=self.path, sha256=self._hash.hexdigest(), size=self.size, head=bytes(self._head)
        )


class FileStore(Protocol):
    def new_upload(self, max_bytes: int) -> TempWriter: ...

    def put(self, pending: PendingFile) -> bool:
        """Move a finished upload into the store; False when that content was already stored (dedup)."""
        ...

    def exists(self, sha256: str) -> bool: ...

    def size(self, sha256: str) -> int: ...

    def open(self, sha256: str) -> BinaryIO: ...

    def iter_range(self, sha256: str, start: int, end: int) -> Iterator[bytes]:
        """Bytes start..end inclusive, in chunks."""
        ...


def check_sha(sha256: str) -> str:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError("not a sha256 hex digest")
    return sha256


class LocalFileStore:
    """files/ab/cd/abcd...: server-made names only; a client's file name never touches the disk."""

    def __init__(self, root: Path):
        self.root = root
        self.tmp = root / "tmp"

    def path_for(self, sha256: str) -> Path:
        sha = check_sha(sha256)
        return self.root / sha[:2] / sha[2:4] / sha

    def new_upload(self, max_bytes: int) -> TempWriter:
        return TempWriter(self.tmp, max_bytes)

    def put(self, pending: PendingFile) -> bool:
        target = self.path_for(pending.sha256)
        if target.exists() and target.stat().st_size == pending.size:
            pending.discard()
            return False
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(pending.path, target)  # atomic on one file system: readers never see half a file
        return True

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).exists()

    def size(self, sha256: str) -> int:
        return self.path_for(sha256).stat().st_size

    def open(self, sha256: str) -> BinaryIO:
        return self.path_for(sha256).open("rb")

    def iter_range(self, sha256: str, start: int, end: int) -> Iterator[bytes]:
        with self.open(sha256) as fh:
            fh.seek(start)
            remaining = end - start + 1
            while remaining > 0:
                chunk = fh.read(min(CHUNK, remaining))
                if not chunk:
                    break
                remaining -= len(chunk)
                yield chunk
