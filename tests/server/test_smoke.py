"""The app starts, migrates, answers health and signs a member in."""


def test_health(client):
    resp = client.get("/api/v1/health")
    assert resp.status_code == 200
    assert resp.json() == {"status": "ok"}


def test_me_after_login(client, world, login):
    headers = login(world.member)
    resp = client.get("/api/v1/me", headers=headers)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["username"] == "dangvien.a"
    assert body["full_name"] == "Trần Thị Đảng"
    assert body["organization"]["name"] == "Chi bộ thôn A1-1"
    assert [r["role"] for r in body["roles"]] == ["member"]
    assert [o["name"] for o in body["org_path"]][0] == "Đảng bộ tỉnh Thử"
