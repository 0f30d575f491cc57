"""The one error shape for what fuzzing found: unreadable bodies and out-of-range numbers are 422, not 500."""

from tests.server.auth.helpers import assert_error


def test_body_that_is_not_utf8_is_422(client):
    resp = client.post("/api/v1/auth/login", content=b"\xff\xfe{\x00",
                       headers={"Content-Type": "application/json"})
    assert_error(resp, 422)


def test_ids_beyond_64_bits_are_422_not_500(client, world, login):
    headers = login(world.admin)
    assert_error(client.get(f"/api/v1/orgs/{2**70}", headers=headers), 422, "value_out_of_range")
    assert_error(client.delete(f"/api/v1/auth/sessions/{2**64}", headers=headers), 422, "value_out_of_range")


def test_unknown_path_and_wrong_method_keep_the_shape(client):
    assert_error(client.get("/api/v1/khong-co"), 404, "not_found")
    assert_error(client.put("/api/v1/health"), 405, "method_not_allowed")


def test_validation_errors_name_the_fields(client, world, login):
    resp = client.get("/api/v1/orgs?limit=0", headers=login(world.admin))
    body = assert_error(resp, 422, "validation_error")
    assert [e["field"] for e in body["errors"]] == ["limit"]
    assert "limit" in body["message"]


def test_validation_messages_are_vietnamese(client, world, login):
    headers = login(world.admin)
    resp = client.post("/api/v1/orgs", headers=headers,
                       json={"name": 5, "kind": "khong-co", "code": "a b", "meeting_day": "x", "extra": 1})
    body = assert_error(resp, 422, "validation_error")
    assert {e["field"] for e in body["errors"]} >= {"name", "kind", "code", "meeting_day", "extra"}
    for e in body["errors"]:
        assert not e["message"].isascii(), e  # every phrase has Vietnamese letters, no English left


# What a person is told to do next (issue 12, "every error a Vietnamese sentence saying what to do").
ACTIONS = ("hãy", "vui lòng", "thử lại", "đăng nhập", "gửi lại")


def _says_what_to_do(message: str) -> bool:
    return not message.isascii() and message.endswith(".") and any(a in message.lower() for a in ACTIONS)


def test_every_default_error_message_says_what_to_do():
    import server.app  # noqa: F401  (every domain's errors)
    from server import errors

    def kinds(k: type) -> list[type]:
        return [k, *(d for s in k.__subclasses__() for d in kinds(s))]

    def bare(kind: type) -> errors.DomainError:  # raised with a message that names no next step
        exc = kind.__new__(kind)
        exc.message = "Không tìm thấy."
        return exc

    vague = [k.__name__ for k in kinds(errors.DomainError) if not _says_what_to_do(bare(k).sentence())]
    vague += [code for code, message in errors._HTTP_MESSAGES.values() if not _says_what_to_do(message)]
    assert vague == []
    assert not _says_what_to_do("Không tìm thấy dữ liệu yêu cầu.")  # the old one: what, not what to do


def test_the_generic_answers_a_client_can_provoke_say_what_to_do(client, world, login):
    headers = login(world.member)
    answers = [
        client.get("/api/v1/khong-co"),
        client.put("/api/v1/health"),
        client.post("/api/v1/auth/login", content=b"\xff\xfe{\x00", headers={"Content-Type": "text/plain"}),
        client.get(f"/api/v1/orgs/{2**70}", headers=headers),
        client.get("/api/v1/meetings/999999", headers=headers),  # the meetings' own "not found" sentence
    ]
    for resp in answers:
        assert resp.status_code < 500
        assert _says_what_to_do(resp.json()["message"]), (resp.request.url, resp.json())
