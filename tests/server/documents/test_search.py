"""Search on SQLite FTS5 and PostgreSQL: Vietnamese with and without marks, number forms, hostile syntax."""

import pytest

from tests.server.documents.factories import API, create_doc

DOCS = [
    dict(
        title="Về tăng cường củng cố, xây dựng tổ chức cơ sở đảng và nâng cao chất lượng đội ngũ đảng viên "
        "trong giai đoạn mới",
        doc_type="resolution",
        number="21-NQ/TW",
        issued_on="2022-06-16",
        summary="Nghị quyết Hội nghị Trung ương 5 khóa XIII về tổ chức cơ sở đảng.",
    ),
    dict(
        title="Về việc lấy phiếu tín nhiệm đối với chức danh, chức vụ lãnh đạo, quản lý "
        "trong hệ thống chính trị",
        doc_type="regulation",
        number="Quy định số 96-QĐ/TW ngày 2-2-2023",
        summary="Quy định của Bộ Chính trị về lấy phiếu tín nhiệm.",
    ),
    dict(
        title="Về đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
        doc_type="conclusion",
        number="01-KL/TW",
        issued_on="2021-05-18",
        category="study",
        body="Tiếp tục thực hiện Chỉ thị số 05-CT/TW; gắn với Nghị quyết số 21-NQ/TW về tổ chức cơ sở đảng.",
    ),
    dict(
        title="Về đại hội đảng bộ các cấp tiến tới Đại hội đại biểu toàn quốc lần thứ XIII của Đảng",
        doc_type="directive",
        number="Chỉ thị 35",
        issued_on="2019-05-30",
    ),
    dict(
        title="Kế hoạch kết nạp đảng viên năm 2024 của huyện B",
        doc_type="plan",
        number="15-KH/HU",
        issued_on="2024-01-10",
        audience="other",
    ),
]


@pytest.fixture
def searchable(any_client, any_world, any_login):
    staff = any_login(any_world.province_staff)
    ids = {}
    for spec in DOCS:
        spec = dict(spec)
        audience = (
            [any_world.other_district.id]
            if spec.pop("audience", None) == "other"
            else [any_world.province.id]
        )
        spec.setdefault("category", "documents")
        title = spec.pop("title")
        ids[title] = create_doc(any_client, staff, title, audience, **spec)["id"]
    return any_client, any_login(any_world.member), any_login(any_world.other_member)


def _search(client, headers, q, **params):
    resp = client.get(API, params={"q": q, **params}, headers=headers)
    assert resp.status_code == 200, resp.text
    return [d["number"] for d in resp.json()["items"]]


def test_number_forms_find_the_resolution_first(searchable):
    client, member, _ = searchable
    for q in [
        "Nghị quyết 21",
        "nghi quyet 21",
        "21-NQ/TW",
        "21 nq",
        "21NQ",
        "nq21",
        "nghị quyết số 21",
        "21-nq/tw",
        "21–NQ/TW",
    ]:
        found = _search(client, member, q)
        assert found and found[0] == "21-NQ/TW", (q, found)


VIETNAMESE = [
    ("phiếu tín nhiệm", "96-QĐ/TW"),
    ("phieu tin nhiem", "96-QĐ/TW"),
    ("PHIẾU TÍN NHIỆM", "96-QĐ/TW"),
    ("quy định 96", "96-QĐ/TW"),
    ("96-QĐ/TW", "96-QĐ/TW"),
    ("96 qd", "96-QĐ/TW"),
    ("tu tuong dao duc phong cach ho chi minh", "01-KL/TW"),
    ("kết luận 01", "01-KL/TW"),
    ("kl 1", "01-KL/TW"),
    ("chỉ thị 35", "35"),
    ("chi thi 35", "35"),
    ("dai hoi dang bo", "35"),
]


def test_vietnamese_with_and_without_marks(searchable):
    client, member, _ = searchable
    for q, expected in VIETNAMESE:
        found = _search(client, member, q)
        assert found and found[0] == expected, (q, found)


def test_body_citations_match_but_rank_below_the_document_itself(searchable):
    client, member, _ = searchable
    assert _search(client, member, "nghị quyết 21") == ["21-NQ/TW", "01-KL/TW"]


def test_prefix_while_typing(searchable):
    client, member, _ = searchable
    assert _search(client, member, "tín nhiệ") == ["96-QĐ/TW"]
    assert _search(client, member, "phong cach ho chi mi") == ["01-KL/TW"]


def test_search_respects_visibility(searchable):
    client, member, other = searchable
    assert _search(client, member, "kết nạp đảng viên 2024") == []
    assert _search(client, member, "15-KH/HU") == []
    assert _search(client, other, "kế hoạch kết nạp") == ["15-KH/HU"]


def test_filters_with_search(searchable):
    client, member, _ = searchable
    assert _search(client, member, "to chuc co so dang", doc_type="resolution") == ["21-NQ/TW"]
    assert _search(client, member, "to chuc co so dang", category="study") == ["01-KL/TW"]
    assert _search(client, member, "to chuc co so dang", year=2022) == ["21-NQ/TW"]
    assert _search(client, member, "to chuc co so dang", issuer="TW", year=2021) == ["01-KL/TW"]


HOSTILE = [
    '"',
    '""',
    "*",
    "(",
    ")",
    "()",
    ":",
    "^",
    "-",
    "NEAR",
    "NEAR(a b)",
    "OR",
    "AND",
    "NOT",
    "a OR",
    "AND b",
    'nghị "quyết',
    "quyết*",
    "title:quyết",
    "^quyết",
    "-quyết",
    "(nghị OR quyết",
    "\\",
    "'",
    "''",
    "!",
    "& | !",
    "a:*",
    "a <-> b",
    "💥🔥",
    "\u0000",
    "\u200b",
    "𝕹𝖌𝖍𝖎",
    "漢字",
    "   ",
    "...",
    "%",
    "_",
    ";DROP TABLE document;",
    "a" * 190,
    "1" * 150,
    "nghị quyết " * 20,
]


def test_hostile_queries_never_fail(searchable):
    client, member, _ = searchable
    for q in HOSTILE:
        resp = client.get(API, params={"q": q}, headers=member)
        assert resp.status_code in (200, 422), (q, resp.status_code)
        if resp.status_code == 200:
            assert isinstance(resp.json()["items"], list)


def test_hostile_query_still_finds_the_words_inside(searchable):
    client, member, _ = searchable
    assert _search(client, member, '"phiếu" AND (tín* nhiệm) NEAR:') == ["96-QĐ/TW"]


def test_pagination_and_total(searchable):
    client, member, _ = searchable
    resp = client.get(API, params={"q": "về", "limit": 2, "offset": 0}, headers=member)
    body = resp.json()
    assert body["total"] == 4 and len(body["items"]) == 2
    rest = client.get(API, params={"q": "về", "limit": 2, "offset": 2}, headers=member).json()["items"]
    assert {d["id"] for d in body["items"]}.isdisjoint({d["id"] for d in rest}) and len(rest) == 2


def test_edit_reindexes(searchable, any_world, any_login):
    client, member, _ = searchable
    staff = any_login(any_world.province_staff)
    doc_id = client.get(API, params={"q": "21-NQ/TW"}, headers=member).json()["items"][0]["id"]
    resp = client.patch(f"{API}/{doc_id}", json={"summary": "Bổ sung nội dung chuyển đổi số"}, headers=staff)
    assert resp.status_code == 200
    assert _search(client, member, "chuyen doi so") == ["21-NQ/TW"]
    assert _search(client, member, "hội nghị trung ương 5") == []
