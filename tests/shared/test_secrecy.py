"""Secrecy stamps: what is refused as a state secret and what is an ordinary word."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.secrecy import LAW, Secrecy, refusal_message, stamp_in


@pytest.mark.parametrize(
    "text,level",
    [
        ("MẬT", Secrecy.confidential),
        ("Mật", Secrecy.confidential),
        ("MẬT - Nghị quyết về quốc phòng", Secrecy.confidential),
        ("Nghị quyết 15-NQ/TW (Mật)", Secrecy.confidential),
        ("[MẬT] Báo cáo", Secrecy.confidential),
        ("Độ mật: Mật", Secrecy.confidential),
        ("TỐI MẬT", Secrecy.secret),
        ("Kế hoạch (Tối mật)", Secrecy.secret),
        ("Tài liệu Tuyệt mật", Secrecy.top_secret),
        ("TUYỆT MẬT", Secrecy.top_secret),
        ("MẬT BÁO tình hình", Secrecy.confidential),
    ],
)
def test_stamps(text, level):
    assert stamp_in(text) == level


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "Hướng dẫn thực hiện Luật Bảo vệ bí mật nhà nước",
        "HƯỚNG DẪN THỰC HIỆN LUẬT BẢO VỆ BÍ MẬT NHÀ NƯỚC",
        "Quy định về mật khẩu",
        "QUY ĐỊNH VỀ CÔNG TÁC MẬT MÃ",
        "mật thiết với Nhân dân",
        "QUY CHẾ BẢO MẬT THÔNG TIN",
        "Nghị quyết 21-NQ/TW",
        "Mật độ dân cư",
        "mật ong bản Poòng",
    ],
)
def test_ordinary_words(text):
    assert stamp_in(text) is None


def test_message_cites_the_law():
    message = refusal_message(Secrecy.secret)
    assert LAW in message and "Tối mật" in message


@given(st.text(max_size=100))
def test_never_raises(text):
    stamp_in(text)
