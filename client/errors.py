"""What the server's refusals and silences become in the client: typed errors with a Vietnamese sentence
saying what to do."""

from __future__ import annotations

from typing import Any

import httpx

# Said when the server gave no message of its own (proxy errors, HTML pages, empty bodies).
_STATUS_MESSAGES = {
    400: "Yêu cầu không hợp lệ. Hãy kiểm tra lại thông tin rồi gửi lại.",
    401: "Phiên đăng nhập đã hết. Hãy đăng nhập lại.",
    403: "Bạn không có quyền thực hiện thao tác này. Nếu cần, hãy liên hệ bí thư chi bộ.",
    404: "Không tìm thấy dữ liệu: có thể đã bị xoá. Hãy bấm Làm mới.",
    409: "Dữ liệu đã thay đổi hoặc bị trùng. Hãy bấm Làm mới rồi thử lại.",
    410: "Dữ liệu không còn trên máy chủ. Hãy bấm Làm mới.",
    413: "Tệp quá lớn. Hãy chọn tệp nhỏ hơn.",
    422: "Dữ liệu chưa hợp lệ. Hãy sửa lại rồi gửi lại.",
    429: "Bạn thao tác quá nhanh. Vui lòng thử lại sau ít phút.",
}
OFFLINE_MESSAGE = "Không kết nối được máy chủ. Hãy kiểm tra mạng rồi thử lại."
SERVER_TROUBLE = "Máy chủ đang gặp sự cố. Vui lòng thử lại sau ít phút; dữ liệu trên máy vẫn được giữ."


class ApiError(Exception):
    """The server refused: `code` for the program, `message` (Vietnamese) for the person."""

    def __init__(self, status: int, code: str, message: str, errors: list[dict[str, Any]] | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors or []

    def __repr__(self) -> str:
        return f"ApiError({self.status}, {self.code!r}, {self.message!r})"


class OfflineError(ApiError):
    """The server could not be reached (no network, server down, timeout)."""

    def __init__(self, detail: str = ""):
        super().__init__(0, "offline", OFFLINE_MESSAGE)
        self.detail = detail


class SessionEnded(ApiError):
    """The sign-in is over (revoked, expired, refresh token reused): the app must sign out and wipe."""


def error_from_response(resp: httpx.Response) -> ApiError:
    code, message, errors = f"http_{resp.status_code}", "", None
    try:
        body = resp.json()
        if isinstance(body, dict):
            code = str(body.get("code") or code)
            message = str(body.get("message") or "")
            errors = body.get("errors")
    except (ValueError, UnicodeDecodeError):
        pass
    if not message:
        message = _STATUS_MESSAGES.get(resp.status_code, SERVER_TROUBLE)
    return ApiError(resp.status_code, code, message, errors)
