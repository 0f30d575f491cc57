"""Vietnamese text folding: NFC normalisation and tone-mark-free forms for matching and search."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def nfc(value: str) -> str:
    """Normalise to NFC and trim; the same text typed on different keyboards compares equal."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()


def fold(value: str) -> str:
    """Lower-case, tone marks removed, đ -> d: 'Nghị quyết' -> 'nghi quyet'."""
    decomposed = unicodedata.normalize("NFD", value.lower())
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    stripped = stripped.replace("đ", "d").replace("Đ", "d")
    return _SPACES.sub(" ", unicodedata.normalize("NFC", stripped)).strip()


def slug(value: str) -> str:
    """ASCII identifier-ish form: 'Chi bộ Phòng Tổng hợp' -> 'chi-bo-phong-tong-hop'."""
    return re.sub(r"[^a-z0-9]+", "-", fold(value)).strip("-")
