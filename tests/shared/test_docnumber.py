"""The document number parser the server and the client share."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.docnumber import DocType, number_tokens, parse, query_tokens, text_tokens, types_for_code


@pytest.mark.parametrize(
    "text,number,code,issuer,doc_type,issued_on,display",
    [
        (
            "Quy định số 96-QĐ/TW ngày 2-2-2023",
            "96",
            "QĐ",
            "TW",
            DocType.regulation,
            date(2023, 2, 2),
            "96-QĐ/TW",
        ),
        (
            "Nghị quyết số 21-NQ/TW ngày 16-6-2022",
            "21",
            "NQ",
            "TW",
            DocType.resolution,
            date(2022, 6, 16),
            "21-NQ/TW",
        ),
        (
            "Kết luận số 21-KL/TW ngày 25-10-2021",
            "21",
            "KL",
            "TW",
            DocType.conclusion,
            date(2021, 10, 25),
            "21-KL/TW",
        ),
        (
            "Quy định số 37-QĐ/TW ngày 25-10-2021",
            "37",
            "QĐ",
            "TW",
            DocType.regulation,
            date(2021, 10, 25),
            "37-QĐ/TW",
        ),
        (
            "Kết luận số 01-KL/TW ngày 18 tháng 5 năm 2021",
            "01",
            "KL",
            "TW",
            DocType.conclusion,
            date(2021, 5, 18),
            "01-KL/TW",
        ),
        (
            "Chỉ thị số 45-CT/TW ngày 20/6/2020",
            "45",
            "CT",
            "TW",
            DocType.directive,
            date(2020, 6, 20),
            "45-CT/TW",
        ),
        ("21-NQ/TW", "21", "NQ", "TW", DocType.resolution, None, "21-NQ/TW"),
        ("21-nq/tw", "21", "NQ", "TW", DocType.resolution, None, "21-NQ/TW"),
        ("21 – NQ / TW", "21", "NQ", "TW", DocType.resolution, None, "21-NQ/TW"),
        ("Hướng dẫn 12-HD/BTCTW", "12", "HD", "BTCTW", DocType.guidance, None, "12-HD/BTCTW"),
        ("05-NQ/ĐU", "05", "NQ", "ĐU", DocType.resolution, None, "05-NQ/ĐU"),
        (
            "Kế hoạch số 15-KH/HU ngày 10.01.2024",
            "15",
            "KH",
            "HU",
            DocType.plan,
            date(2024, 1, 10),
            "15-KH/HU",
        ),
        ("Đề án 06-ĐA/TU", "06", "ĐA", "TU", DocType.scheme, None, "06-ĐA/TU"),
        ("Chỉ thị 35", "35", "CT", None, DocType.directive, None, "35"),
        ("Chỉ thị số 35", "35", "CT", None, DocType.directive, None, "35"),
        ("Quy định 205 của Bộ Chính trị", "205", "QĐ", None, DocType.regulation, None, "205"),
        ("số 96 ngày 2/2/2023", "96", None, None, None, date(2023, 2, 2), "96"),
    ],
)
def test_parse(text, number, code, issuer, doc_type, issued_on, display):
    parsed = parse(text)
    assert parsed is not None
    assert (parsed.number, parsed.type_code, parsed.issuer, parsed.doc_type, parsed.issued_on) == (
        number,
        code,
        issuer,
        doc_type,
        issued_on,
    )
    assert parsed.display == display


def test_qd_is_ambiguous_without_words():
    parsed = parse("96-QĐ/TW")
    assert parsed is not None and parsed.doc_type is None and parsed.type_code == "QĐ"
    assert set(types_for_code("qd")) == {DocType.regulation, DocType.decision}
    assert parse("Quyết định số 1234-QĐ/TU").doc_type == DocType.decision


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "   ",
        "hello",
        "Nghị quyết Trung ương 4 khóa XII",
        "ngày 2-2-2023",
        "21",
        "Nghị quyết",
        "99-XX/TW",
    ],
)
def test_not_a_number(text):
    assert parse(text) is None


def test_invalid_date_is_dropped_not_raised():
    parsed = parse("Quy định số 96-QĐ/TW ngày 31-2-2023")
    assert parsed is not None and parsed.issued_on is None


def test_number_tokens():
    assert number_tokens("21", "NQ") == ["21nq", "nq21"]
    assert number_tokens("01", "KL") == ["1kl", "kl1"]
    assert number_tokens("96", "QĐ") == ["96qd", "qd96"]
    assert number_tokens("15a", "KH") == ["15akh", "kh15a"]
    assert number_tokens("21", None) == [] and number_tokens("", "NQ") == []


@pytest.mark.parametrize(
    "query,tokens",
    [
        ("21-NQ/TW", ["21nq", "tw"]),
        ("21 nq", ["21nq"]),
        ("21NQ", ["21nq"]),
        ("NQ21", ["nq21"]),
        ("nq 21", ["nq21"]),
        ("nghị quyết 21", ["nq21"]),
        ("Nghị quyết số 21-NQ/TW", ["nq21", "tw"]),
        ("nghi quyet", ["nghi", "quyet"]),
        ("Kết luận 01", ["kl1"]),
        ("quyết định 96", ["qd96"]),
        ("Chỉ thị 35 của Bộ Chính trị", ["ct35", "cua", "bo", "chinh", "tri"]),
        ('"NEAR(a b)" OR * ^x:y', ["near", "a", "b", "or", "x", "y"]),
        ("Đảng viên", ["dang", "vien"]),
        ("", []),
        ("漢字 💥", []),
    ],
)
def test_query_tokens(query, tokens):
    assert query_tokens(query) == tokens


def test_text_tokens_add_number_tokens_of_citations():
    tokens = text_tokens("Thực hiện Nghị quyết số 21-NQ/TW và Chỉ thị 35, Quy định 96-QĐ/TW")
    assert tokens[:4] == ["thuc", "hien", "nghi", "quyet"]
    for expected in ("21nq", "nq21", "35ct", "ct35", "96qd", "qd96"):
        assert expected in tokens
    assert tokens.count("nq21") == 1


def test_query_and_index_agree_on_every_number_form():
    indexed = set(text_tokens("Nghị quyết số 21-NQ/TW ngày 16-6-2022"))
    for q in ("21-NQ/TW", "21 nq", "nghị quyết 21", "nq21", "21nq", "NGHỊ QUYẾT SỐ 21"):
        assert set(query_tokens(q)) <= indexed, q


@given(st.text(max_size=200))
def test_never_raises_and_tokens_are_plain(text):
    parse(text)
    for token in query_tokens(text) + text_tokens(text):
        assert token and all(c in "abcdefghijklmnopqrstuvwxyz0123456789" for c in token)
