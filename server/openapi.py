"""Error responses declared on routes so OpenAPI documents them."""

from typing import Any

from fastapi import FastAPI

from shared.schemas.common import ErrorBody

_DESCRIPTIONS = {
    400: "Yêu cầu sai", 401: "Chưa đăng nhập hoặc phiên hết hạn", 403: "Không có quyền",
    404: "Không tìm thấy", 409: "Xung đột", 410: "Không còn", 413: "Quá lớn",
    422: "Dữ liệu không hợp lệ", 429: "Quá nhiều yêu cầu",
    503: "Máy chủ bận, thử lại sau (Retry-After)",
    507: "Máy chủ hết chỗ lưu trữ; giữ dữ liệu, gửi lại sau (Retry-After)",
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {s: {"model": ErrorBody, "description": _DESCRIPTIONS.get(s, "Lỗi")} for s in statuses}


AUTHED = errors(401, 403, 422)


def document_error_responses(app: FastAPI) -> None:
    """Make /openapi.json state every error a route can answer, all in the one ErrorBody shape.

    FastAPI documents 422 as its own HTTPValidationError, which this API never sends, and a route whose
    author forgot `responses=` would not say that it answers 401 without a token. The generated schema is
    corrected once: a route that needs a token (it carries a security requirement) documents 401, one with
    path parameters 404, one taking input 422, one taking a body 413, one that writes 503 and 507.
    """
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = generate()
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        body = ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, definition in body.pop("$defs", {}).items():
            components.setdefault(name, definition)
        components.setdefault("ErrorBody", body)
        ref = {"$ref": "#/components/schemas/ErrorBody"}
        for ops in schema.get("paths", {}).values():
            for method, op in ops.items():
                if not isinstance(op, dict) or "responses" not in op:
                    continue
                params = op.get("parameters", [])
                wanted = []
                if op.get("security"):
                    wanted.append(401)
                if any(p.get("in") == "path" for p in params):
                    wanted.append(404)
                if params or "requestBody" in op:
                    wanted.append(422)
                if "requestBody" in op:
                    wanted.append(413)  # every body has a size limit (server/kit/limits.py)
                if method not in ("get", "head"):
                    # A write the server cannot make now: the client keeps it and retries.
                    wanted += [503, 507]
                for status in wanted:
                    op["responses"].setdefault(str(status), {"description": _DESCRIPTIONS[status]})
                for status, response in op["responses"].items():
                    if status.startswith(("4", "5")):
                        response["content"] = {"application/json": {"schema": ref}}
        components.pop("HTTPValidationError", None)
        components.pop("ValidationError", None)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
