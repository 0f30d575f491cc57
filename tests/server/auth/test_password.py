"""Changing one's own password: checks, limits (8..128, never truncated), other sessions end."""

from tests.server.auth.helpers import REFRESH, assert_error, bearer, login_raw, tokens

CHANGE = "/api/v1/auth/password"


def _change(client, access, current, new):
    return client.post(CHANGE, headers=bearer(access),
                       json={"current_password": current, "new_password": new})


def test_password_change_ends_other_sessions_and_keeps_this_one(client, world):
    here = tokens(client, "dangvien.a", world.member.password, device="here")
    there = tokens(client, "dangvien.a", world.member.password, device="there")
    resp = _change(client, here["access_token"], world.member.password, "mat-khau-moi-2026")
    assert resp.status_code == 204, resp.text
    assert client.get("/api/v1/me", headers=bearer(here["access_token"])).status_code == 200
    assert_error(client.get("/api/v1/me", headers=bearer(there["access_token"])), 401, "session_revoked")
    assert_error(client.post(REFRESH, json={"refresh_token": there["refresh_token"]}), 401)
    assert_error(login_raw(client, "dangvien.a", world.member.password), 401)
    tokens(client, "dangvien.a", "mat-khau-moi-2026")


def test_wrong_current_password_is_422(client, world):
    here = tokens(client, "dangvien.a", world.member.password)
    assert_error(_change(client, here["access_token"], "khong-dung-dau", "mat-khau-moi-2026"), 422,
                 "wrong_password")
    tokens(client, "dangvien.a", world.member.password)


def test_too_short_and_too_long_passwords_are_422_with_the_field(client, world):
    here = tokens(client, "dangvien.a", world.member.password)
    for bad in ("1234567", "x" * 129):
        body = assert_error(_change(client, here["access_token"], world.member.password, bad), 422,
                            "validation_error")
        assert [e["field"] for e in body["errors"]] == ["new_password"]
    tokens(client, "dangvien.a", world.member.password)


def test_128_characters_are_accepted_and_every_one_counts(client, world):
    here = tokens(client, "dangvien.a", world.member.password)
    long_password = "Đ" * 100 + "a" * 28  # 128 characters, 228 bytes in UTF-8
    assert _change(client, here["access_token"], world.member.password, long_password).status_code == 204
    tokens(client, "dangvien.a", long_password)
    assert_error(login_raw(client, "dangvien.a", long_password[:-1] + "b"), 401)


def test_no_72_byte_truncation(client, world):
    """bcrypt would cut at 72 bytes; two 100-character passwords sharing 72 bytes must differ."""
    here = tokens(client, "dangvien.a", world.member.password)
    first = "p" * 72 + "A" * 28
    second = "p" * 72 + "B" * 28
    assert _change(client, here["access_token"], world.member.password, first).status_code == 204
    assert_error(login_raw(client, "dangvien.a", second), 401)
    tokens(client, "dangvien.a", first)


def test_spaces_in_a_new_password_are_kept(client, world):
    here = tokens(client, "dangvien.a", world.member.password)
    spaced = "  mat khau co dau cach  "
    assert _change(client, here["access_token"], world.member.password, spaced).status_code == 204
    assert_error(login_raw(client, "dangvien.a", spaced.strip()), 401)
    tokens(client, "dangvien.a", spaced)


def test_password_change_needs_a_token(client):
    assert_error(client.post(CHANGE, json={"current_password": "a", "new_password": "bbbbbbbb"}), 401)
