"""What the app tells a person when the server refuses or cannot be reached: a Vietnamese sentence that says
what to do next (issue 12, "Elderly-first"), even when the server's answer carries no message of its own."""

from __future__ import annotations

import httpx
import pytest

from client import errors

ACTIONS = ("hãy", "vui lòng", "thử lại", "đăng nhập", "gửi lại")


def _says_what_to_do(message: str) -> bool:
    return not message.isascii() and message.endswith(".") and any(a in message.lower() for a in ACTIONS)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 410, 413, 422, 429, 500, 502, 503, 504])
def test_a_bare_refusal_becomes_a_sentence_saying_what_to_do(status):
    # a proxy's or an old server's answer: no {"code", "message"} body at all
    err = errors.error_from_response(httpx.Response(status, text="<html>Bad Gateway</html>"))
    assert err.status == status
    assert _says_what_to_do(err.message), err.message


def test_the_servers_own_sentence_is_kept():
    body = {"code": "checkin_code_wrong", "message": "Mã điểm danh không đúng. Hãy hỏi bí thư mã mới."}
    err = errors.error_from_response(httpx.Response(400, json=body))
    assert (err.code, err.message) == ("checkin_code_wrong", body["message"])


def test_no_network_says_to_check_it():
    assert _says_what_to_do(errors.OfflineError("boom").message)
