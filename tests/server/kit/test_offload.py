"""The worker process for heavy parsing: results and domain errors come back whole; a dead worker is a
503 the client may retry, and the next call gets a new worker."""

import os

import pytest

from server.errors import ServiceUnavailable, Unprocessable
from server.kit import offload
from server.members.import_file import parse_data


def test_a_parse_in_the_worker_returns_the_rows():
    parsed = offload.run(parse_data, "Họ và tên,Mã chi bộ\nNguyễn Văn A,CB01\n".encode(), 10)
    assert parsed.kind == "csv" and len(parsed.rows) == 1
    assert parsed.rows[0].values["full_name"] == "Nguyễn Văn A"


def test_a_refusal_in_the_worker_keeps_its_code_and_message():
    with pytest.raises(Unprocessable) as caught:
        offload.run(parse_data, b"\x00\x01 not a spreadsheet", 10)
    assert caught.value.code == "unsupported_file_type" and caught.value.status == 422
    assert "CSV" in caught.value.message


def test_a_dead_worker_is_a_busy_server_and_the_next_call_gets_a_new_one():
    with pytest.raises(ServiceUnavailable) as caught:
        offload.run(os._exit, 3)  # the worker dies, as when the kernel kills it for memory
    assert caught.value.status == 503 and caught.value.code == "worker_failed"
    assert offload.run(len, b"abc") == 3
