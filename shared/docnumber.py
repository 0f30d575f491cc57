"""Party document numbers ("Quy định số 96-QĐ/TW ngày 2-2-2023"): parsing, display and search tokens.

Pure Python: the client parses numbers typed offline with the same rules as the server.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from shared.text import fold, nfc


class DocType(StrEnum):
    resolution = "resolution"  # Nghị quyết
    directive = "directive"  # Chỉ thị
    conclusion = "conclusion"  # Kết luận
    regulation = "regulation"  # Quy định
    decision = "decision"  # Quyết định
    statute = "statute"  # Quy chế
    guidance = "guidance"  # Hướng dẫn
    plan = "plan"  # Kế hoạch
    notice = "notice"  # Thông báo
    report = "report"  # Báo cáo
    scheme = "scheme"  # Đề án
    letter = "letter"  # Công văn


DOC_TYPE_LABELS: dict[DocType, str] = {
    DocType.resolution: "Nghị quyết",
    DocType.directive: "Chỉ thị",
    DocType.conclusion: "Kết luận",
    DocType.regulation: "Quy định",
    DocType.decision: "Quyết định",
    DocType.statute: "Quy chế",
    DocType.guidance: "Hướng dẫn",
    DocType.plan: "Kế hoạch",
    DocType.notice: "Thông báo",
    DocType.report: "Báo cáo",
    DocType.scheme: "Đề án",
    DocType.letter: "Công văn",
}

# The abbreviation each type carries in its number. Quy định and Quyết định share "QĐ".
DOC_TYPE_CODES: dict[DocType, str] = {
    DocType.resolution: "NQ",
    DocType.directive: "CT",
    DocType.conclusion: "KL",
    DocType.regulation: "QĐ",
    DocType.decision: "QĐ",
    DocType.statute: "QC",
    DocType.guidance: "HD",
    DocType.plan: "KH",
    DocType.notice: "TB",
    DocType.report: "BC",
    DocType.scheme: "ĐA",
    DocType.letter: "CV",
}

# Folded code -> the written code ("qd" -> "QĐ").
_CODES_BY_KEY: dict[str, str] = {fold(code): code for code in DOC_TYPE_CODES.values()}

# Folded type names (longest first so "quyet dinh" wins over a shorter overlap), also without spaces.
_TYPE_WORDS: list[tuple[str, DocType]] = sorted(
    ((fold(label), doc_type) for doc_type, label in DOC_TYPE_LABELS.items()),
    key=lambda item: -len(item[0]),
)

_DASHES = str.maketrans(
    {
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u2044": "/",
        "\u2215": "/",
    }
)

# 96-QĐ/TW, 21-NQ/TW, 12-HD/BTCTW, 05-NQ/ĐU, 1234/QĐ-TU, 15 - KH/HU. The issuer may hold a dash (TU-BTC).
_FULL = re.compile(
    r"(?<![0-9A-Za-zÀ-ỹĐđ])(?P<num>\d{1,5}[a-zA-Z]?)\s*[-/]\s*(?P<code>[A-Za-zĐđ]{2,4})"
    r"(?:\s*[/-]\s*(?P<issuer>[A-Za-zĐđ]{1,10}(?:-[A-Za-zĐđ]{1,10})?))?(?![0-9A-Za-zÀ-ỹĐđ])"
)
_DATE_NUMERIC = re.compile(r"(?P<d>\d{1,2})\s*[-/.]\s*(?P<m>\d{1,2})\s*[-/.]\s*(?P<y>\d{4})")
_DATE_WORDS = re.compile(r"(?P<d>\d{1,2})\s+thang\s+(?P<m>\d{1,2})\s+nam\s+(?P<y>\d{4})")
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class DocNumber:
    """What a number string says: "96-QĐ/TW" -> number "96", type code "QĐ", issuer "TW"."""

    number: str
    type_code: str | None = None
    issuer: str | None = None
    doc_type: DocType | None = None
    issued_on: date | None = None
    explicit_code: bool = False  # the code was written ("35-CT/TW"), not inferred from "Chỉ thị 35"

    @property
    def display(self) -> str:
        """The written form: "96-QĐ/TW"; "35" for "Chỉ thị 35" (its code is not part of what was written)."""
        text = self.number
        if self.type_code and self.explicit_code:
            text += f"-{self.type_code}"
            if self.issuer:
                text += f"/{self.issuer}"
        return text

    def tokens(self) -> list[str]:
        return number_tokens(self.number, self.type_code)


def _norm_number(value: str) -> str:
    """ "01" and "1" are the same number; a letter suffix stays ("15a")."""
    value = value.strip().lower()
    digits = value.rstrip("abcdefghijklmnopqrstuvwxyz")
    suffix = value[len(digits) :]
    return (digits.lstrip("0") or "0") + suffix


def _upper_code(value: str) -> str:
    return nfc(value).upper()


def _canonical_code(value: str) -> str | None:
    return _CODES_BY_KEY.get(fold(value))


def number_tokens(number: str, type_code: str | None) -> list[str]:
    """Search tokens for a number: ("21", "NQ") -> ["21nq", "nq21"]; folded, no leading zeros."""
    if not number or not type_code:
        return []
    num = _norm_number(number)
    code = fold(type_code)
    if not re.fullmatch(r"[a-z0-9]+", num) or not re.fullmatch(r"[a-z]+", code):
        return []
    return [f"{num}{code}", f"{code}{num}"]


def _parse_date(text: str) -> date | None:
    folded = fold(text)
    for pattern in (_DATE_NUMERIC, _DATE_WORDS):
        match = pattern.search(folded)
        if match:
            try:
                return date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                return None
    return None


def type_from_words(text: str) -> DocType | None:
    """The document type named at the start of `text`: "Nghị quyết số 21..." -> resolution."""
    folded = fold(text)
    for words, doc_type in _TYPE_WORDS:
        if folded.startswith(words) and (len(folded) == len(words) or not folded[len(words)].isalnum()):
            return doc_type
    return None


def parse(text: str | None) -> DocNumber | None:
    """Parse a number as people write it; None when `text` holds no number at all.

    Understands "Quy định số 96-QĐ/TW ngày 2-2-2023", "21-NQ/TW", "số 45-CT/TW ngày 20/6/2020",
    "Chỉ thị 35", "Kết luận số 01-KL/TW ngày 18 tháng 5 năm 2021".
    """
    if not text:
        return None
    raw = nfc(text).translate(_DASHES)
    if not raw:
        return None
    doc_type = type_from_words(raw)
    issued_on = None
    date_at = re.search(r"(?i)\bng[aà]y\b", raw)
    if date_at:
        issued_on = _parse_date(raw[date_at.end() :])
        head = raw[: date_at.start()]
    else:
        head = raw
    full = None
    for candidate in _FULL.finditer(head):
        if _canonical_code(candidate["code"]):
            full = candidate
            break
    if full is not None:
        code = _canonical_code(full["code"])
        issuer = _upper_code(full["issuer"]) if full["issuer"] else None
        number = full["num"]
        if doc_type is None and code:
            doc_type = _type_for_code(code)
        return DocNumber(
            number=number,
            type_code=code,
            issuer=issuer,
            doc_type=doc_type,
            issued_on=issued_on,
            explicit_code=True,
        )
    # "Chỉ thị 35", "Quy định số 205", "số 96": a bare number right after the type name or "số".
    folded_head = fold(head)
    type_prefix = ""
    if doc_type is not None:
        type_prefix = re.escape(fold(DOC_TYPE_LABELS[doc_type]))
    bare = None
    if type_prefix:
        bare = re.match(rf"{type_prefix}\s*(?:so\s*)?(\d{{1,5}}[a-z]?)(?![\w/-])", folded_head)
    if bare is None:
        bare = re.search(r"(?<![\w/-])so\s*(\d{1,5}[a-z]?)(?![\w/-])", folded_head)
    if bare is None:
        return None
    code = DOC_TYPE_CODES[doc_type] if doc_type else None
    return DocNumber(number=bare.group(1), type_code=code, doc_type=doc_type, issued_on=issued_on)


def _type_for_code(code: str) -> DocType | None:
    """The type a code stands for, when it is unambiguous (QĐ is Quy định or Quyết định)."""
    matches = [t for t, c in DOC_TYPE_CODES.items() if c == code]
    return matches[0] if len(matches) == 1 else None


def types_for_code(code: str) -> list[DocType]:
    canonical = _canonical_code(code)
    return [t for t, c in DOC_TYPE_CODES.items() if c == canonical]


# ---- query side --------------------------------------------------------------------------------------


def _type_word_at(words: list[str], i: int) -> tuple[DocType, int] | None:
    """A type name ("nghi quyet") starting at words[i]: (type, number of words)."""
    for phrase, doc_type in _TYPE_WORDS:
        parts = phrase.split(" ")
        if words[i : i + len(parts)] == parts:
            return doc_type, len(parts)
    return None


def query_tokens(text: str) -> list[str]:
    """Search terms for what a user typed: folded words, with number references made into number tokens.

    "21-NQ/TW" -> ["21nq", "tw"]; "21 nq" -> ["21nq"]; "nghị quyết 21" -> ["nq21"];
    "nghi quyet" -> ["nghi", "quyet"]. Only [a-z0-9] survives, so no search syntax gets through.
    """
    words = _WORD.findall(fold(nfc(text).translate(_DASHES)).replace("đ", "d"))
    out: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        # "21 nq [tw]" or "21nq"
        if word.isdigit() and i + 1 < len(words) and words[i + 1] in _CODES_BY_KEY:
            out.append(f"{_norm_number(word)}{words[i + 1]}")
            i += 2
            continue
        # "nq 21"
        if word in _CODES_BY_KEY and i + 1 < len(words) and words[i + 1].isdigit():
            out.append(f"{word}{_norm_number(words[i + 1])}")
            i += 2
            continue
        # "nghị quyết [số] 21"
        found = _type_word_at(words, i)
        if found:
            doc_type, length = found
            j = i + length
            if j < len(words) and words[j] == "so":
                j += 1
            if j < len(words) and re.fullmatch(r"\d{1,5}[a-z]?", words[j]):
                code = fold(DOC_TYPE_CODES[doc_type])
                out.append(f"{code}{_norm_number(words[j])}")
                i = j + 1
                # "nghị quyết 21-NQ/TW": the code repeats the type; drop it.
                if i < len(words) and words[i] == code:
                    i += 1
                continue
        match = re.fullmatch(r"(\d{1,5})([a-z]{2})", word)
        if match and match.group(2) in _CODES_BY_KEY:
            out.append(f"{_norm_number(match.group(1))}{match.group(2)}")
        elif (match := re.fullmatch(r"([a-z]{2})(\d{1,5})", word)) and match.group(1) in _CODES_BY_KEY:
            out.append(f"{match.group(1)}{_norm_number(match.group(2))}")
        else:
            out.append(word)
        i += 1
    return out


def text_tokens(text: str | None) -> list[str]:
    """Index tokens of a text: its folded words plus number tokens of every number it cites.

    "thực hiện Nghị quyết số 21-NQ/TW" -> [..., "nghi", "quyet", "so", "21", "nq", "tw", "21nq", "nq21"].
    """
    if not text:
        return []
    clean = nfc(text).translate(_DASHES)
    folded_words = _WORD.findall(fold(clean))
    extra: list[str] = []
    for match in _FULL.finditer(clean):
        code = _canonical_code(match["code"])
        if code:
            extra.extend(number_tokens(match["num"], code))
    for i in range(len(folded_words)):
        found = _type_word_at(folded_words, i)
        if not found:
            continue
        doc_type, length = found
        j = i + length
        if j < len(folded_words) and folded_words[j] == "so":
            j += 1
        if j < len(folded_words) and re.fullmatch(r"\d{1,5}[a-z]?", folded_words[j]):
            extra.extend(number_tokens(folded_words[j], DOC_TYPE_CODES[doc_type]))
    # Each cited number once: a long text citing one resolution ten times should not outrank its own record.
    return folded_words + list(dict.fromkeys(extra))
