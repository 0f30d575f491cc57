"""Full-text search: SQLite FTS5 or PostgreSQL tsvector over the same pre-folded tokens: same results.

Text is folded (tone marks removed) and cut into [a-z0-9] tokens in Python, with number tokens ("21nq",
"nq21") added for every document number cited. Queries go through the same tokenizer and are rebuilt from
those tokens: whatever a user types, no search-engine syntax reaches the engine.
"""

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Float, Integer, Subquery, bindparam, func, literal_column, text
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlmodel import Session

from server.documents.models import Document
from shared import docnumber

# A body is indexed up to here (PostgreSQL caps tsvector size; both engines stop at the same place).
BODY_INDEX_CHARS = 200_000
MAX_QUERY_TOKENS = 12
_MAX_TOKEN = 60
# Title and number count most, then the summary, then the full text (FTS5 bm25 weights; ts_rank's A/B/C).
_BM25_WEIGHTS = (10.0, 4.0, 1.0)


_FTS_INSERT = text(
    "INSERT INTO document_fts (rowid, title, summary, body) VALUES (:id, :title, :summary, :body)"
)


_PG_UPDATE = text(
    "UPDATE document SET search_vector = "
    "setweight(to_tsvector('simple', :title), 'A') || "
    "setweight(to_tsvector('simple', :summary), 'B') || "
    "setweight(to_tsvector('simple', :body), 'C') WHERE id = :id"
)


@dataclass(frozen=True)
class IndexText:
    title: str  # title + number, weight A
    summary: str  # weight B
    body: str  # weight C


def _join(tokens: list[str]) -> str:
    return " ".join(t for t in tokens if len(t) <= _MAX_TOKEN)


def index_text(doc: Document) -> IndexText:
    head = docnumber.text_tokens(doc.title) + docnumber.text_tokens(doc.number)
    if doc.number:
        parsed = docnumber.parse(doc.number)
        number = parsed.number if parsed else doc.number
        head += docnumber.number_tokens(number, doc.type_code)
    head += docnumber.text_tokens(doc.topic)
    return IndexText(
        title=_join(list(dict.fromkeys(head)) if len(head) > 200 else head),
        summary=_join(docnumber.text_tokens(doc.summary)),
        body=_join(docnumber.text_tokens((doc.body or "")[:BODY_INDEX_CHARS])),
    )


def is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def index_document(session: Session, doc: Document) -> None:
    """(Re)index one document; call after every change of its text."""
    assert doc.id is not None
    data = index_text(doc)
    if is_sqlite(session):
        session.execute(text("DELETE FROM document_fts WHERE rowid = :id"), {"id": doc.id})
        session.execute(
            _FTS_INSERT,
            {"id": doc.id, "title": data.title, "summary": data.summary, "body": data.body},
        )
    else:
        session.execute(
            _PG_UPDATE, {"id": doc.id, "title": data.title, "summary": data.summary, "body": data.body}
        )


def remove_document(session: Session, document_id: int) -> None:
    """Drop a deleted document from the index (PostgreSQL's vector goes with the row)."""
    if is_sqlite(session):
        session.execute(text("DELETE FROM document_fts WHERE rowid = :id"), {"id": document_id})


def bulk_index_rows(session: Session, rows: list[dict]) -> None:
    """Index many documents at once (the benchmark's loader): rows of id, title, summary, body tokens."""
    if is_sqlite(session):
        session.execute(_FTS_INSERT, rows)
    else:
        session.execute(_PG_UPDATE, rows)


_OPERATORS = re.compile(r"\b(?:AND|OR|NOT|NEAR)\b")


@dataclass(frozen=True)
class Query:
    tokens: list[str]
    prefix_last: bool

    @property
    def empty(self) -> bool:
        return not self.tokens


def parse_query(raw: str | None) -> Query:
    """Sanitised terms of a user's query; the last word also matches as a prefix while typing ("nghi quy")."""
    if not raw:
        return Query([], False)
    # Operators pasted from other search engines are not words to look for.
    raw = _OPERATORS.sub(" ", raw)
    tokens = [t for t in docnumber.query_tokens(raw) if len(t) <= _MAX_TOKEN]
    tokens = list(dict.fromkeys(tokens))[:MAX_QUERY_TOKENS]
    stripped = raw.rstrip()
    last = tokens[-1] if tokens else ""
    # Prefix only for a word still being typed: letters, at least 2, and the query does not end with a space.
    prefix = bool(last) and last.isalpha() and len(last) >= 2 and stripped == raw and raw[-1:].isalnum()
    return Query(tokens, prefix)


def fts5_match(query: Query) -> str:
    parts = [f'"{t}"' for t in query.tokens]
    if query.prefix_last:
        parts[-1] += "*"
    return " ".join(parts)


def tsquery_text(query: Query) -> str:
    parts = [f"'{t}'" for t in query.tokens]
    if query.prefix_last:
        parts[-1] += ":*"
    return " & ".join(parts)


@dataclass(frozen=True)
class Matcher:
    """How one search restricts and ranks documents: a join (SQLite) or a condition (PostgreSQL)."""

    join: Subquery | None
    where: list[ColumnElement[bool]]
    rank: ColumnElement[Any]  # lower is better on both engines


def matcher(session: Session, query: Query) -> Matcher:
    if is_sqlite(session):
        w = _BM25_WEIGHTS
        hits = (
            text(
                f"SELECT rowid AS id, bm25(document_fts, {w[0]}, {w[1]}, {w[2]}) AS rank "
                "FROM document_fts WHERE document_fts MATCH :fts_match"
            )
            .bindparams(fts_match=fts5_match(query))
            .columns(id=Integer, rank=Float)
            .subquery("hits")
        )
        return Matcher(join=hits, where=[], rank=hits.c.rank)
    # On the document row itself: a subquery joined back to document made PostgreSQL nest-loop the two.
    vector = literal_column("document.search_vector", type_=TSVECTOR)
    tsquery = func.to_tsquery("simple", bindparam("ts_query", tsquery_text(query)))
    return Matcher(join=None, where=[vector.op("@@")(tsquery)], rank=-func.ts_rank(vector, tsquery))
