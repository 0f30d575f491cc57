"""Error responses declared on routes so OpenAPI documents them."""

from typing import Any

from shared.schemas.common import ErrorBody


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    descriptions = {
        400: "Yêu cầu sai", 401: "Chưa đăng nhập hoặc phiên hết hạn", 403: "Không có quyền",
        404: "Không tìm thấy", 409: "Xung đột", 410: "Không còn", 413: "Quá lớn",
        422: "Dữ liệu không hợp lệ", 429: "Quá nhiều yêu cầu",
    }
    return {s: {"model": ErrorBody, "description": descriptions.get(s, "Lỗi")} for s in statuses}


AUTHED = errors(401, 403, 422)
