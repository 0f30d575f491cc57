"""State secrets (Mật, Tối mật, Tuyệt mật) are refused with the law cited, and the refusal is audited."""

import pytest
from sqlalchemy import select

from server.documents.models import Document
from server.records.audit import AuditEntry
from tests.server.documents.factories import API, create_doc, doc_payload


def _refusals(app):
    with app.state.db.session() as s:
        return (
            s.execute(select(AuditEntry).where(AuditEntry.action == "document.secret_refused"))
            .scalars()
            .all()
        )


@pytest.mark.parametrize(
    "extra",
    [
        {"secrecy": "mat"},
        {"secrecy": "toi_mat"},
        {"secrecy": "tuyet_mat"},
        {"title": "MẬT - Nghị quyết về nhiệm vụ quốc phòng"},
        {"title": "Kế hoạch (Tối mật) về nhân sự"},
        {"number": "15-NQ/TW (Mật)"},
        {"title": "Tài liệu TUYỆT MẬT"},
    ],
)
def test_secret_documents_refused_and_audited(client, world, login, app, extra):
    body = {**doc_payload("Văn bản thường", [world.district.id]), **extra}
    resp = client.post(API, json=body, headers=login(world.staff))
    assert resp.status_code == 422
    assert resp.json()["code"] == "state_secret_refused"
    assert "Luật Bảo vệ bí mật nhà nước" in resp.json()["message"] and "2018" in resp.json()["message"]
    refusals = _refusals(app)
    assert len(refusals) == 1 and refusals[0].actor_user_id == world.staff.user.id
    with app.state.db.session() as s:
        assert s.execute(select(Document)).first() is None


def test_ordinary_words_are_not_stamps(client, world, login):
    staff = login(world.staff)
    for title in (
        "Hướng dẫn thi hành Luật Bảo vệ bí mật nhà nước",
        "Quy định về mật khẩu phần mềm",
        "QUY CHẾ CÔNG TÁC MẬT MÃ",
        "Tăng cường mối quan hệ mật thiết với Nhân dân",
    ):
        create_doc(client, staff, title, [world.district.id])


def test_edit_into_a_secret_is_refused(client, world, login, app):
    staff = login(world.staff)
    doc = create_doc(client, staff, "Báo cáo tình hình", [world.district.id], doc_type="report")
    resp = client.patch(f"{API}/{doc['id']}", json={"secrecy": "toi_mat"}, headers=staff)
    assert resp.status_code == 422 and resp.json()["code"] == "state_secret_refused"
    resp = client.patch(f"{API}/{doc['id']}", json={"title": "MẬT Báo cáo tình hình"}, headers=staff)
    assert resp.status_code == 422
    assert len(_refusals(app)) == 2
    assert client.get(f"{API}/{doc['id']}", headers=staff).json()["title"] == "Báo cáo tình hình"
