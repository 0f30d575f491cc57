"""Sign-in: username or card number, one answer for every failure, lockouts, timing, audit."""

import pytest
from sqlalchemy import select

from server.auth import security
from server.records.audit import AuditEntry
from tests.server.auth.helpers import assert_error, bearer, login_raw, tokens


def test_login_by_username_gives_a_token_pair_that_opens_me(client, world):
    body = tokens(client, "dangvien.a", world.member.password)
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 15 * 60
    assert body["refresh_token"] and body["access_token"]
    me = client.get("/api/v1/me", headers=bearer(body["access_token"]))
    assert me.status_code == 200 and me.json()["username"] == "dangvien.a"


def test_login_by_party_card_number(client, world):
    card = world.member.member.card_number
    body = tokens(client, card, world.member.password)
    me = client.get("/api/v1/me", headers=bearer(body["access_token"])).json()
    assert me["username"] == "dangvien.a" and me["card_number"] == card


def test_username_is_case_and_space_insensitive(client, world):
    tokens(client, "  DangVien.A ", world.member.password)


def test_wrong_password_and_unknown_user_get_the_same_answer(client, world):
    wrong = assert_error(login_raw(client, "dangvien.a", "sai-mat-khau"), 401)
    unknown = assert_error(login_raw(client, "khong.ai.ca", "sai-mat-khau"), 401)
    unknown_card = assert_error(login_raw(client, "12345678", "sai-mat-khau"), 401)
    assert wrong == unknown == unknown_card
    assert wrong["code"] == "invalid_credentials"


def test_password_is_taken_exactly_as_typed(client, world):
    assert_error(login_raw(client, "dangvien.a", world.member.password + " "), 401)
    assert_error(login_raw(client, "dangvien.a", " " + world.member.password), 401)
    assert_error(login_raw(client, "dangvien.a", world.member.password.upper()), 401)


class _CountingHasher:
    """Stands in for the CryptContext and counts the argon2 verifications each path runs."""

    def __init__(self, real):
        self.real = real
        self.verifications = 0

    def verify(self, *args, **kwargs):
        self.verifications += 1
        return self.real.verify(*args, **kwargs)

    def verify_and_update(self, *args, **kwargs):
        self.verifications += 1
        return self.real.verify_and_update(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.real, name)


@pytest.mark.parametrize("username", ["khong.ai.ca", "99999999", "dangvien.a"])
def test_every_failure_path_runs_one_password_verification(client, world, monkeypatch, username):
    """The failure costs the same whether the account exists: always exactly one argon2 verification."""
    counting = _CountingHasher(security._pwd)
    monkeypatch.setattr(security, "_pwd", counting)
    assert_error(login_raw(client, username, "sai-mat-khau-nhe"), 401, "invalid_credentials")
    assert counting.verifications == 1


def test_an_account_with_an_unusable_hash_still_costs_a_verification(client, world, db, monkeypatch):
    world.member.user.password_hash = "!locked"
    db.add(world.member.user)
    db.commit()
    counting = _CountingHasher(security._pwd)
    monkeypatch.setattr(security, "_pwd", counting)
    assert_error(login_raw(client, "dangvien.a", "bat-ky-mat-khau"), 401, "invalid_credentials")
    assert counting.verifications == 1


def test_hashes_are_argon2id_with_asvs_cost():
    h = security.hash_password("mot-mat-khau-dai")
    assert h.startswith("$argon2id$")
    params = dict(p.split("=") for p in h.split("$")[3].split(","))
    assert int(params["m"]) >= 19456 and int(params["t"]) >= 2 and int(params["p"]) >= 1


def test_nfd_and_nfc_forms_of_a_vietnamese_password_both_verify():
    import unicodedata

    password = "Mật khẩu Đảng viên"
    h = security.hash_password(unicodedata.normalize("NFD", password))
    assert security.verify_password(unicodedata.normalize("NFC", password), h)[0]


def _fail(client, username, times):
    for _ in range(times):
        assert_error(login_raw(client, username, "sai-mat-khau"), 401)


def test_account_lockout_after_repeated_failures(client, world, settings):
    _fail(client, "dangvien.a", settings.login_max_failures_account)
    # Locked even with the right password, with a Vietnamese explanation and a Retry-After.
    resp = login_raw(client, "dangvien.a", world.member.password)
    body = assert_error(resp, 429, "too_many_attempts")
    assert "thử lại" in body["message"]
    retry = int(resp.headers["Retry-After"])
    assert 0 < retry <= settings.login_window_minutes * 60 + 1
    # Another account from the same address is not locked by it.
    tokens(client, "dangvien.a2", world.member2.password)


def test_lockout_counts_the_account_whether_named_by_username_or_card(client, world, settings):
    card = world.member.member.card_number
    for i in range(settings.login_max_failures_account):
        assert_error(login_raw(client, card if i % 2 else "dangvien.a", "sai-mat-khau"), 401)
    assert_error(login_raw(client, card, world.member.password), 429)
    assert_error(login_raw(client, "dangvien.a", world.member.password), 429)


def test_unknown_names_are_locked_out_like_real_ones(client, world, settings):
    _fail(client, "khong.ai.ca", settings.login_max_failures_account)
    assert_error(login_raw(client, "khong.ai.ca", "sai-mat-khau"), 429)


def test_success_resets_the_account_counter(client, world, settings):
    limit = settings.login_max_failures_account
    _fail(client, "dangvien.a", limit - 1)
    tokens(client, "dangvien.a", world.member.password)
    _fail(client, "dangvien.a", limit - 1)
    tokens(client, "dangvien.a", world.member.password)


def test_lockout_per_client_address(client, world, settings):
    settings.login_max_failures_address = 4
    for i in range(4):
        assert_error(login_raw(client, f"nguoi.la.{i}", "sai-mat-khau"), 401)
    # The address is locked: even a correct sign-in of an untouched account is refused for now.
    resp = login_raw(client, "dangvien.a2", world.member2.password)
    assert_error(resp, 429, "too_many_attempts")
    assert int(resp.headers["Retry-After"]) > 0


def test_sign_ins_are_audited(client, world, db):
    _fail(client, "dangvien.a", 1)
    tokens(client, "dangvien.a", world.member.password)
    db.rollback()
    rows = db.execute(select(AuditEntry).where(AuditEntry.target_id == "dangvien.a")
                      .order_by(AuditEntry.id)).scalars().all()
    assert [r.action for r in rows] == ["auth.login_failed", "auth.login"]
    assert rows[0].client_address == "testclient"
    assert rows[1].actor_user_id == world.member.user.id
    assert rows[1].org_id == world.cell.id


def test_disabled_account_is_refused_at_login_and_with_an_existing_token(client, world, db):
    access = tokens(client, "dangvien.a", world.member.password)["access_token"]
    world.member.user.is_active = False
    db.add(world.member.user)
    db.commit()
    assert_error(login_raw(client, "dangvien.a", world.member.password), 401, "account_disabled")
    assert_error(client.get("/api/v1/me", headers=bearer(access)), 401, "account_disabled")


def test_malformed_login_requests_are_422_with_field_names(client):
    body = assert_error(client.post("/api/v1/auth/login", json={"username": "a"}), 422, "validation_error")
    assert [e["field"] for e in body["errors"]] == ["password"]
    body = assert_error(client.post("/api/v1/auth/login", content=b"{not json",
                                    headers={"Content-Type": "application/json"}), 422)
    assert_error(client.post("/api/v1/auth/login", json={"username": "a", "password": "b", "x": 1}), 422)


def test_password_verification_runs_without_the_sqlite_write_lock(client, world, settings, monkeypatch):
    """Hashing is slow on purpose: other writers (check-ins, other sign-ins) must not queue behind it."""
    import sqlite3

    real = security._pwd
    free_during_verify = []

    class _Probe(_CountingHasher):
        def verify_and_update(self, *args, **kwargs):
            other = sqlite3.connect(settings.data_dir / "sotay.db", timeout=0, isolation_level=None)
            try:
                other.execute("BEGIN IMMEDIATE")  # raises "database is locked" if the login held the lock
                other.execute("ROLLBACK")
                free_during_verify.append(True)
            except sqlite3.OperationalError:
                free_during_verify.append(False)
            finally:
                other.close()
            return super().verify_and_update(*args, **kwargs)

    monkeypatch.setattr(security, "_pwd", _Probe(real))
    tokens(client, "dangvien.a", world.member.password)
    assert free_during_verify == [True]


def test_a_password_changed_during_verification_does_not_let_the_old_one_in(client, world, db, monkeypatch):
    real = security._pwd

    class _ChangeMidway(_CountingHasher):
        def verify_and_update(self, *args, **kwargs):
            result = super().verify_and_update(*args, **kwargs)
            with client.app.state.db.transaction() as other:
                from server.records.members import User

                other.get(User, world.member.user.id).password_hash = security.hash_password("doi-roi-nhe")
            return result

    monkeypatch.setattr(security, "_pwd", _ChangeMidway(real))
    assert_error(login_raw(client, "dangvien.a", world.member.password), 401, "invalid_credentials")
