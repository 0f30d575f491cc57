"""Domain errors and the one handler that renders them as {"code", "message"}."""

import errno
import logging
import sqlite3
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)


ACTIONS = ("hãy", "vui lòng", "thử lại", "liên hệ", "đăng nhập", "gửi lại")
"""Words that tell a person what to do next; a message without one gets its kind's advice."""


def says_what_to_do(message: str) -> bool:
    lowered = message.lower()
    return any(word in lowered for word in ACTIONS)


class DomainError(Exception):
    status = 400
    code = "bad_request"
    message = "Yêu cầu không hợp lệ. Hãy kiểm tra lại thông tin rồi gửi lại."
    advice = "Hãy kiểm tra lại thông tin rồi gửi lại."
    # A refusal worth keeping: keyword arguments for audit.record, written after the request's rollback.
    audit: dict[str, Any] | None = None

    def __init__(self, message: str | None = None, *, code: str | None = None, **extra: Any):
        self.message = message or self.message
        if code:
            self.code = code
        self.extra = extra
        super().__init__(self.message)

    def sentence(self) -> str:
        """What the person reads: the message, and what to do about it where the message does not say."""
        if says_what_to_do(self.message):
            return self.message
        said = self.message.rstrip()
        return f"{said}{'' if said.endswith(('.', '!', '?')) else '.'} {self.advice}"

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled whole (a worker process raises it, server/kit/offload.py): code and extra survive.
        return _rebuild, (type(self), self.__dict__)


def _rebuild(cls: type[DomainError], state: dict[str, Any]) -> DomainError:
    exc = cls.__new__(cls)
    Exception.__init__(exc, state.get("message"))
    exc.__dict__.update(state)
    return exc


class BadRequest(DomainError):
    pass


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"
    message = "Bạn cần đăng nhập để tiếp tục."
    advice = "Hãy đăng nhập lại."


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    message = ("Bạn không có quyền thực hiện thao tác này. "
               "Nếu cần, hãy liên hệ bí thư chi bộ hoặc cán bộ phụ trách.")
    advice = "Nếu cần, hãy liên hệ bí thư chi bộ hoặc cán bộ phụ trách."


class NotFound(DomainError):
    status = 404
    code = "not_found"
    message = ("Không tìm thấy dữ liệu yêu cầu: có thể đã bị xoá hoặc không thuộc phạm vi của bạn. "
               "Hãy bấm Làm mới.")
    advice = "Có thể dữ liệu đã bị xoá hoặc không thuộc phạm vi của bạn; hãy bấm Làm mới."


class Conflict(DomainError):
    status = 409
    code = "conflict"
    message = "Dữ liệu bị trùng hoặc vừa được người khác thay đổi. Hãy bấm Làm mới rồi thử lại."
    advice = "Hãy bấm Làm mới để xem bản mới nhất rồi thử lại."


class Gone(DomainError):
    status = 410
    code = "gone"
    message = "Dữ liệu này không còn trên máy chủ. Hãy bấm Làm mới."
    advice = "Hãy bấm Làm mới."


class PayloadTooLarge(DomainError):
    status = 413
    code = "payload_too_large"
    message = "Tệp quá lớn. Hãy chọn tệp nhỏ hơn."
    advice = "Hãy chọn tệp nhỏ hơn."


class Unprocessable(DomainError):
    status = 422
    code = "unprocessable"
    message = "Dữ liệu chưa hợp lệ. Hãy sửa lại rồi gửi lại."
    advice = "Hãy sửa lại rồi gửi lại."


class RateLimited(DomainError):
    status = 429
    code = "rate_limited"
    message = "Bạn đã thử quá nhiều lần. Vui lòng thử lại sau."
    advice = "Vui lòng thử lại sau ít phút."

    def __init__(self, retry_after: int, message: str | None = None, *, code: str | None = None):
        super().__init__(message, code=code)
        self.retry_after = max(1, int(retry_after))


class ServiceUnavailable(DomainError):
    """The server cannot do this now (not the client's fault): try again shortly."""

    status = 503
    code = "server_busy"
    message = "Máy chủ đang bận. Vui lòng thử lại sau ít giây."
    advice = "Vui lòng thử lại sau ít giây."
    retry_after = 5


class StorageFull(DomainError):
    """The server's disk (or database) cannot grow: not the client's fault, so it keeps what it sent."""

    status = 507
    code = "storage_full"
    message = ("Máy chủ đã hết chỗ lưu trữ nên chưa lưu được dữ liệu của bạn. "
               "Dữ liệu vẫn được giữ trên máy; hãy gửi lại sau.")
    retry_after = 300


_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT}
_PG_DISK_FULL = "53100"
_SQLITE_FULL = 13


def storage_exhausted(exc: BaseException | None) -> bool:
    """Whether `exc`, or an error it was raised from, says the disk or the database is full."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, OSError) and exc.errno in _FULL_ERRNOS:
            return True
        if isinstance(exc, sqlite3.OperationalError) and (
            getattr(exc, "sqlite_errorcode", None) == _SQLITE_FULL or "database or disk is full" in str(exc)
        ):
            return True
        if getattr(exc, "sqlstate", None) == _PG_DISK_FULL:  # psycopg's DiskFull
            return True
        exc = getattr(exc, "orig", None) or exc.__cause__ or exc.__context__
    return False


def _database_busy(exc: OperationalError) -> bool:
    return "database is locked" in str(exc.orig) or "database table is locked" in str(exc.orig)


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"code": code, "message": message, **extra}


_HTTP_MESSAGES = {
    404: ("not_found", "Không tìm thấy địa chỉ yêu cầu. Hãy kiểm tra lại đường dẫn hoặc cập nhật ứng dụng."),
    405: ("method_not_allowed", "Địa chỉ này không nhận thao tác đó. Hãy cập nhật ứng dụng rồi thử lại."),
    401: ("unauthorized", "Bạn cần đăng nhập để tiếp tục."),
    403: ("forbidden", Forbidden.message),
    413: ("payload_too_large", "Dữ liệu gửi lên quá lớn. Hãy chọn tệp nhỏ hơn."),
    415: ("unsupported_media_type", "Định dạng dữ liệu không được hỗ trợ. Hãy cập nhật ứng dụng."),
}

_VALIDATION_MESSAGES = {
    "missing": "Thiếu trường bắt buộc",
    "string_too_short": "Quá ngắn",
    "string_too_long": "Quá dài",
    "string_pattern_mismatch": "Sai định dạng",
    "extra_forbidden": "Trường không được phép",
    "enum": "Giá trị không nằm trong danh sách cho phép",
    "int_parsing": "Phải là số nguyên",
    "date_from_datetime_parsing": "Sai định dạng ngày",
    "date_parsing": "Sai định dạng ngày",
    "datetime_parsing": "Sai định dạng thời gian",
    "datetime_from_date_parsing": "Sai định dạng thời gian",
    "timezone_aware": "Thời gian phải có múi giờ",
    "json_invalid": "JSON không hợp lệ",
    "model_attributes_type": "Phải là một đối tượng",
    "dict_type": "Phải là một đối tượng",
    "list_type": "Phải là một danh sách",
    "greater_than_equal": "Giá trị quá nhỏ",
    "less_than_equal": "Giá trị quá lớn",
    "bool_parsing": "Phải là đúng/sai",
    "bool_type": "Phải là đúng/sai",
    "int_type": "Phải là số nguyên",
    "int_from_float": "Phải là số nguyên",
    "float_parsing": "Phải là số",
    "float_type": "Phải là số",
    "string_type": "Phải là chuỗi ký tự",
    "string_unicode": "Có ký tự không hợp lệ (không phải Unicode)",
    "too_short": "Quá ít phần tử",
    "too_long": "Quá nhiều phần tử",
    "literal_error": "Giá trị không nằm trong danh sách cho phép",
    "greater_than": "Giá trị quá nhỏ",
    "less_than": "Giá trị quá lớn",
    "date_type": "Sai định dạng ngày",
    "datetime_type": "Sai định dạng thời gian",
    "time_parsing": "Sai định dạng giờ",
    "time_type": "Sai định dạng giờ",
    "uuid_parsing": "Sai định dạng mã",
    "url_parsing": "Sai định dạng địa chỉ",
    "value_error": "Giá trị không hợp lệ",
    "assertion_error": "Giá trị không hợp lệ",
    "json_type": "JSON không hợp lệ",
    "union_tag_invalid": "Giá trị không nằm trong danh sách cho phép",
}


def _validation_message(err: dict[str, Any]) -> str:
    """A Vietnamese phrase for one pydantic error; the project's own validators already speak Vietnamese."""
    kind = err.get("type", "")
    if kind in ("value_error", "assertion_error"):
        ctx_error = (err.get("ctx") or {}).get("error")
        text = str(ctx_error) if ctx_error is not None else ""
        if text and not text.isascii():  # a message written for people, in Vietnamese
            return text
    return _VALIDATION_MESSAGES.get(kind, "Giá trị không hợp lệ")


def _field_name(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:] or parts
    return ".".join(parts)


def render(exc: DomainError) -> JSONResponse:
    """The answer to a domain error: its status, `{code, message}` and the headers its kind needs."""
    headers = {}
    if isinstance(exc, RateLimited | StorageFull | ServiceUnavailable):
        headers["Retry-After"] = str(exc.retry_after)
    if isinstance(exc, Unauthorized):
        headers["WWW-Authenticate"] = "Bearer"
    return JSONResponse(
        error_body(exc.code, exc.sentence(), **exc.extra), status_code=exc.status, headers=headers
    )


def install_error_handlers(app: FastAPI) -> None:
    _render = render

    def _storage_full(request: Request, cause: BaseException) -> JSONResponse:
        log.error("storage full on %s %s: %s", request.method, request.url.path, cause)
        return _render(StorageFull())

    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> JSONResponse:
        if isinstance(exc, StorageFull):
            return _storage_full(request, exc.__cause__ or exc)
        return _render(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = []
        for err in exc.errors():
            msg = _validation_message(err)
            errors.append({"field": _field_name(tuple(err.get("loc", ()))), "message": msg})
        summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
        return JSONResponse(
            error_body("validation_error", f"Dữ liệu không hợp lệ ({summary}). Hãy sửa lại rồi gửi lại.",
                       errors=errors),
            status_code=422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400:
            # FastAPI's only 400 is a body it cannot decode (not UTF-8, broken multipart): for a client
            # that is unreadable input like any other, so it gets the documented 422.
            return JSONResponse(error_body("invalid_body", "Không đọc được nội dung gửi lên. Hãy gửi lại."),
                                status_code=422)
        code, message = _HTTP_MESSAGES.get(
            exc.status_code, ("http_error", "Yêu cầu không thực hiện được. Hãy thử lại sau.")
        )
        if isinstance(exc.detail, dict) and "code" in exc.detail:
            code, message = exc.detail["code"], exc.detail.get("message", message)
        return JSONResponse(error_body(code, message), status_code=exc.status_code, headers=exc.headers)

    # Safety nets: input the routes should have validated but did not reaches the database. A client
    # still gets a 4xx in the one error shape; the log says which route needs a proper check.
    @app.exception_handler(OverflowError)
    async def _overflow(request: Request, exc: OverflowError) -> JSONResponse:
        log.warning("number out of range reached the database on %s: %s", request.url.path, exc)
        return JSONResponse(error_body("value_out_of_range", "Số vượt phạm vi cho phép. Hãy sửa lại."),
                            status_code=422)

    @app.exception_handler(DataError)
    async def _data(request: Request, exc: DataError) -> JSONResponse:
        log.warning("database refused a value on %s: %s", request.url.path, exc.orig)
        return JSONResponse(error_body("invalid_value", "Dữ liệu gửi lên có giá trị sai. Hãy sửa lại."),
                            status_code=422)

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, exc: IntegrityError) -> JSONResponse:
        log.warning("integrity error on %s: %s", request.url.path, exc.orig)
        message = "Dữ liệu bị trùng hoặc tham chiếu tới dữ liệu không còn. Hãy bấm Làm mới rồi thử lại."
        return JSONResponse(error_body("conflict", message), status_code=409)

    # The server's own resources, not the client's input: the answer tells the client to keep its data
    # and try again later, never that what it sent was wrong.
    def _resource_answer(request: Request, exc: BaseException) -> JSONResponse | None:
        if storage_exhausted(exc):
            return _storage_full(request, exc)
        if isinstance(exc, OperationalError) and _database_busy(exc):
            log.warning("database busy on %s %s: %s", request.method, request.url.path, exc.orig)
            return JSONResponse(error_body("server_busy", "Máy chủ đang bận. Vui lòng thử lại sau ít giây."),
                                status_code=503, headers={"Retry-After": "2"})
        return None

    @app.exception_handler(OSError)
    async def _os_error(request: Request, exc: OSError) -> JSONResponse:
        return _resource_answer(request, exc) or _internal(exc)

    @app.exception_handler(OperationalError)
    async def _operational(request: Request, exc: OperationalError) -> JSONResponse:
        return _resource_answer(request, exc) or _internal(exc)

    def _internal(exc: BaseException) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return JSONResponse(
            error_body("internal_error", "Máy chủ gặp lỗi không mong muốn. Vui lòng thử lại sau."),
            status_code=500,
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        return _resource_answer(request, exc) or _internal(exc)
