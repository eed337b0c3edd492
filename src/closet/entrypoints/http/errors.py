"""Every error becomes RFC 9457 problem+json; one table maps application errors to statuses."""

from __future__ import annotations

import logging
import re
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, ValidationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from closet.application.errors import (
    ApplicationError,
    AuthenticationFailed,
    Conflict,
    Forbidden,
    ImageTooLarge,
    InvalidImage,
    NotFound,
    SecondFactorRequired,
    ServiceUnavailable,
    StaleVersion,
    StorageUnavailable,
    UnsupportedImage,
    VersionRequired,
)
from closet.domain.errors import InvalidValue
from closet.entrypoints.http.schemas.common import FieldProblem, Problem

log = logging.getLogger("closet.http")
PROBLEM_JSON = "application/problem+json"

STATUS_OF: dict[type[ApplicationError], int] = {
    NotFound: 404,
    Conflict: 409,
    StaleVersion: 412,
    VersionRequired: 428,
    AuthenticationFailed: 401,
    SecondFactorRequired: 401,
    Forbidden: 403,
    StorageUnavailable: 503,
    ServiceUnavailable: 503,
    UnsupportedImage: 415,
    ImageTooLarge: 413,
    InvalidImage: 400,
}


def _slug(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


def problem_response(
    request: Request[Any, Any, Any],
    *,
    status: int,
    kind: str,
    title: str,
    detail: str | None = None,
    errors: list[FieldProblem] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[Problem]:
    body = Problem(
        type=f"urn:closet:problem:{kind}",
        title=title,
        status=status,
        detail=detail,
        instance=request.url.path,
        errors=errors,
        request_id=request.scope.get("state", {}).get("request_id"),
    )
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def on_application_error(request: Request[Any, Any, Any], exc: ApplicationError) -> Response[Problem]:
    status = next((s for kind, s in STATUS_OF.items() if isinstance(exc, kind)), 500)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if status == 503:
        headers = {"Retry-After": "5"}
    return problem_response(
        request,
        status=status,
        kind=_slug(type(exc).__name__),
        title=exc.title,
        detail=exc.detail,
        headers=headers,
    )


def on_invalid_value(request: Request[Any, Any, Any], exc: InvalidValue) -> Response[Problem]:
    return problem_response(
        request,
        status=422,
        kind="invalid-value",
        title="Invalid value",
        detail="; ".join(f"{e.field or 'request'}: {e.message}" for e in exc.errors),
        errors=[FieldProblem(e.field, e.message) for e in exc.errors],
    )


def on_validation_exception(request: Request[Any, Any, Any], exc: ValidationException) -> Response[Problem]:
    """Malformed requests: wrong types, unknown fields, unparsable parameters."""
    errors = [
        FieldProblem(_field_of(e), str(e.get("message", "is invalid")))
        for e in (exc.extra if isinstance(exc.extra, list) else [])
        if isinstance(e, dict)
    ]
    detail = "; ".join(f"{e.field}: {e.message}" for e in errors) or exc.detail
    return problem_response(
        request,
        status=400,
        kind="malformed-request",
        title="Malformed request",
        detail=detail,
        errors=errors or None,
    )


_NAMED = re.compile(r"(?:unknown|missing required) field `([^`]*)`")


def _field_of(error: dict[str, Any]) -> str:
    """The field a decoding error is about, as a path like ``purchase.price.amount``.

    Litestar gives the location (``key``; ``data`` is the body itself) and msgspec's message
    names the field for unknown and missing fields.
    """
    key = str(error.get("key") or "")
    base = "" if key in ("", "data") else key
    named = _NAMED.search(str(error.get("message", "")))
    if named:
        return f"{base}.{named.group(1)}" if base else named.group(1)
    return base or ("body" if key == "data" else "request")


def on_http_exception(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Problem]:
    status = exc.status_code
    headers = dict(exc.headers or {})
    if isinstance(exc, NotAuthorizedException):
        headers.setdefault("WWW-Authenticate", "Bearer")
    title = _TITLES.get(status, "Request refused")
    detail = exc.detail if exc.detail and status < 500 else None
    return problem_response(
        request,
        status=status,
        kind=title.lower().replace(" ", "-"),
        title=title,
        detail=detail,
        headers=headers or None,
    )


_TITLES = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    413: "Request body too large",
    415: "Unsupported media type",
    429: "Too many requests",
}


def on_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Problem]:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(
        request,
        status=HTTP_500_INTERNAL_SERVER_ERROR,
        kind="internal-error",
        title="Internal error",
        detail="something went wrong on our side; it has been logged",
    )


_DESCRIPTIONS = {
    400: "Malformed request: wrong types, unknown fields or parameters, unparsable JSON",
    401: "Missing, invalid or expired token (or credentials)",
    403: "Not allowed for this user",
    404: "No such resource for this user",
    409: "Conflicts with an existing resource",
    412: "The version sent is not the current one",
    413: "Request body (or the image in it) too large",
    415: "Not an image format this API takes (decided from the bytes)",
    422: "A value breaks a rule; `errors` names each field",
    428: "A version (If-Match or `version`) is required",
    429: "Too many requests; retry after Retry-After seconds",
    503: "A store is unavailable; retry after Retry-After seconds",
}


def problem_responses(*statuses: int) -> dict[int, ResponseSpec]:
    """OpenAPI entries for the problem+json answers a route can give."""
    return {
        status: ResponseSpec(
            data_container=Problem, description=_DESCRIPTIONS[status], media_type=PROBLEM_JSON
        )
        for status in statuses
    }


EXCEPTION_HANDLERS: dict[type[Exception], Any] = {
    ApplicationError: on_application_error,
    InvalidValue: on_invalid_value,
    ValidationException: on_validation_exception,
    HTTPException: on_http_exception,
    Exception: on_unexpected,
}
