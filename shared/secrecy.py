"""State-secret stamps (Luật Bảo vệ bí mật nhà nước 2018: Mật, Tối mật, Tuyệt mật): detection before upload.

The client warns with the same rules the server refuses with.
"""

import re
from enum import StrEnum

from shared.text import fold, nfc

LAW = "Luật Bảo vệ bí mật nhà nước năm 2018 (Luật số 29/2018/QH14)"


class Secrecy(StrEnum):
    none = "none"
    confidential = "mat"  # Mật
    secret = "toi_mat"  # Tối mật
    top_secret = "tuyet_mat"  # Tuyệt mật


SECRECY_LABELS: dict[Secrecy, str] = {
    Secrecy.none: "Không mật",
    Secrecy.confidential: "Mật",
    Secrecy.secret: "Tối mật",
    Secrecy.top_secret: "Tuyệt mật",
}

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# Ordinary phrases holding the word "mật": bí mật, mật khẩu, mật mã, mật thiết, mật độ, mật ong, thân mật...
_BENIGN_BEFORE = {"bi", "than", "co", "tham", "bao"}
_BENIGN_AFTER = {"khau", "ma", "thiet", "do", "ong", "danh", "vu", "tham", "thu", "ngu"}


def stamp_in(text: str | None) -> Secrecy | None:
    """The secrecy level a title or number is stamped with, or None.

    Stamps: "TUYỆT MẬT" / "Tối mật" anywhere; "(Mật)", "[MẬT]", "Độ mật: ...", and an upper-case
    "MẬT" standing alone. Ordinary words ("bí mật nhà nước", "mật khẩu", "mật mã") are not stamps.
    """
    if not text:
        return None
    value = nfc(text)
    folded = fold(value)
    if re.search(r"\btuyet mat\b", folded):
        return Secrecy.top_secret
    if re.search(r"\btoi mat\b", folded):
        return Secrecy.secret
    if folded == "mat" or re.search(r"\bdo mat\s*[:\-]", folded) or re.search(r"[(\[]\s*mat\s*[)\]]", folded):
        return Secrecy.confidential
    words = _WORD.findall(value)
    for i, word in enumerate(words):
        if word != "MẬT":
            continue
        before = fold(words[i - 1]) if i > 0 else ""
        after = fold(words[i + 1]) if i + 1 < len(words) else ""
        if before in _BENIGN_BEFORE or after in _BENIGN_AFTER:
            continue
        return Secrecy.confidential
    return None


def refusal_message(level: Secrecy) -> str:
    return (
        f'Tài liệu có độ mật "{SECRECY_LABELS[level]}" không được đăng lên ứng dụng. Theo {LAW}, '
        "tài liệu bí mật nhà nước không được đưa lên mạng Internet, mạng máy tính hay phần mềm không dùng "
        "mật mã của cơ yếu; hãy phổ biến tài liệu này theo đường bảo mật."
    )
