"""Stored files kept in the database (table file_chunk), so that every host of an installation reads them.

No S3-compatible server installs from this project's package registries, so PostgreSQL, which every host
already reaches, is the shared store. Files go in 1 MiB chunks, committed in their own transaction before
the request records the `file_blob` row, so a row never names a file that is not there.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from server.documents.models import FileChunk
from server.documents.storage import CHUNK, PendingFile, TempWriter, check_sha

_table = FileChunk.__table__  # type: ignore[attr-defined]


class DatabaseFileStore:
    """The FileStore interface over the file_chunk table; uploads are staged in a local temporary file."""

    def __init__(self, engine: Engine, tmp: Path):
        self.engine = engine
        self.tmp = tmp

    def new_upload(self, max_bytes: int) -> TempWriter:
        return TempWriter(self.tmp, max_bytes)

    def put(self, pending: PendingFile) -> bool:
        sha = check_sha(pending.sha256)
        try:
            if self.exists(sha):
                return False
            try:
                with self.engine.begin() as conn, pending.path.open("rb") as fh:
                    seq = 0
                    while True:
                        data = fh.read(CHUNK)
                        if not data and seq:
                            break
                        conn.execute(insert(_table).values(sha256=sha, seq=seq, data=data))
                        seq += 1
                        if len(data) < CHUNK:
                            break
            except IntegrityError:
                return False  # the same content stored at the same moment by another upload
            return True
        finally:
            pending.discard()

    def put_bytes(self, sha256: str, fh: BinaryIO) -> bool:
        """Store content read from an open file (copy-db moving a local store in); sha256 is the caller's."""
        writer = TempWriter(self.tmp, max_bytes=1 << 62)
        while chunk := fh.read(CHUNK):
            writer.write(chunk)
        pending = writer.finish()
        if pending.sha256 != sha256:
            pending.discard()
            raise ValueError(f"content of {sha256} does not match its name")
        return self.put(pending)

    def exists(self, sha256: str) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(select(_table.c.seq).where(
                _table.c.sha256 == check_sha(sha256), _table.c.seq == 0)).first() is not None

    def size(self, sha256: str) -> int:
        with self.engine.connect() as conn:
            total = conn.execute(select(func.coalesce(func.sum(func.length(_table.c.data)), -1))
                                 .where(_table.c.sha256 == check_sha(sha256))).scalar_one()
        if total < 0:
            raise FileNotFoundError(sha256)
        return int(total)

    def open(self, sha256: str) -> BinaryIO:
        out = tempfile.SpooledTemporaryFile(max_size=CHUNK * 4)
        for chunk in self._chunks(sha256, 0, None):
            out.write(chunk)
        out.seek(0)
        return out  # type: ignore[return-value]

    def iter_range(self, sha256: str, start: int, end: int) -> Iterator[bytes]:
        first, last = start // CHUNK, end // CHUNK
        for seq, data in self._numbered(sha256, first, last):
            base = seq * CHUNK
            lo = max(start - base, 0)
            hi = min(end - base + 1, len(data))
            if lo < hi:
                yield data[lo:hi]

    def _numbered(self, sha256: str, first: int, last: int | None) -> Iterator[tuple[int, bytes]]:
        # One chunk per query: a 50 MB download never sits in memory whole.
        seq = first
        while last is None or seq <= last:
            with self.engine.connect() as conn:
                row = conn.execute(select(_table.c.data).where(
                    _table.c.sha256 == check_sha(sha256), _table.c.seq == seq)).first()
            if row is None:
                if seq == first:
                    raise FileNotFoundError(sha256)
                return
            yield seq, bytes(row[0])
            seq += 1

    def _chunks(self, sha256: str, first: int, last: int | None) -> Iterator[bytes]:
        for _seq, data in self._numbered(sha256, first, last):
            yield data


def read_all(store: DatabaseFileStore, sha256: str) -> bytes:
    """A stored file's bytes (tests and verification)."""
    buf = io.BytesIO()
    for chunk in store._chunks(sha256, 0, None):
        buf.write(chunk)
    return buf.getvalue()
