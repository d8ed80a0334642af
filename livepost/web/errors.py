"""Errors, translated once for the web: an error type becomes a status and a short code here.

The JSON API answers every error as ``{"error": {"code": "<short_snake_code>", "message": "..."}}``
(an invalid field adds ``"field"``); the console's pages answer with an HTML error page of the same
status. :func:`install` registers the Starlette handlers: the application layer's errors raised by
any route, and 404 / 405 / 500 (JSON under ``/api/``, HTML elsewhere).
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from livepost.errors import (
    ConcurrentChange,
    Conflict,
    InputError,
    LivepostError,
    NotAllowed,
    NotFound,
)

log = logging.getLogger(__name__)


class BadRequest(LivepostError):
    """The request itself is malformed (not JSON, not an object, an unknown content type): 400."""


class BodyTooLarge(LivepostError):
    """The request body is over its cap (said by Content-Length, or counted while reading): 413."""

    def __init__(self, message: str = "the body is too large") -> None:
        super().__init__(message)


#: error type -> (status, code); the first match wins, so subclasses come before their bases
STATUSES: tuple[tuple[type[BaseException], int, str], ...] = (
    (BadRequest, 400, "bad_request"),
    (NotAllowed, 403, "forbidden"),
    (NotFound, 404, "not_found"),
    (ConcurrentChange, 409, "conflict"),
    (Conflict, 409, "conflict"),  # OutboxError too: a post already sent, a name taken
    (BodyTooLarge, 413, "too_large"),
    (InputError, 422, "invalid"),
    (LivepostError, 503, "unavailable"),  # the database, the network, the settings
)

#: the code of a status that no error type names (Starlette's own 404s and 405s, our 401s)
CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid",
    500: "internal_error",
    503: "unavailable",
}

TITLES = {
    400: "Bad request",
    401: "Access token needed",
    403: "Not allowed",
    404: "Not found",
    405: "Not allowed here",
    409: "Not done",
    413: "Too large",
    422: "Not done",
    500: "Something went wrong",
    503: "Not available",
}


def status_of(exc: BaseException) -> tuple[int, str]:
    """The HTTP status and error code of an error (500 for anything unexpected)."""
    for kind, status, code in STATUSES:
        if isinstance(exc, kind):
            return status, code
    return 500, CODES[500]


def message_of(exc: BaseException) -> str:
    """What the person reads: the message and, if any, what to do (as two sentences)."""
    if isinstance(exc, InputError):
        return _with_hint(exc.detail, exc.hint)
    if isinstance(exc, LivepostError):
        return _with_hint(exc.message, exc.hint)
    return "an unexpected error; it has been logged"


def _with_hint(message: str, hint: str | None) -> str:
    if not hint:
        return message
    stop = "" if message.endswith((".", "!", "?", ":")) else "."
    return f"{message}{stop} {hint}"


def json_error(status: int, message: str, code: str | None = None, **extra: Any) -> JSONResponse:
    """The API's one error shape."""
    body = {"code": code or CODES.get(status, "error"), "message": message, **extra}
    return JSONResponse({"error": body}, status_code=status)


def api_error(exc: BaseException) -> JSONResponse:
    """An error raised while answering an API request, as the API answers it."""
    status, code = status_of(exc)
    extra = {"field": exc.path} if isinstance(exc, InputError) and status == 422 else {}
    return json_error(status, message_of(exc), code, **extra)


def html_error(request: Request, status: int, text: str, title: str | None = None) -> Response:
    """An error page of the console (with its navigation when the person is signed in)."""
    from livepost.web.render import NAV, render_page

    context: dict[str, Any] = {"title": title or TITLES.get(status, "Not done"), "text": text}
    csrf = getattr(request.state, "csrf", "")
    if csrf:  # signed in: the page keeps the console's navigation
        context.update(csrf=csrf, nav=NAV)
        console = getattr(request.app.state, "console", None)
        if console is not None:
            context["event_name"] = console.settings.event.name
    html = render_page("error.html", **context)
    return HTMLResponse(html, status_code=status)


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


async def on_error(request: Request, exc: Exception) -> Response:
    """The application layer's errors (and any other), raised by any route."""
    status, _code = status_of(exc)
    if status == 500:
        log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    if is_api(request):
        return api_error(exc)
    return html_error(request, status, message_of(exc))


async def on_http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own 404 (no such route) and 405 (wrong method)."""
    assert isinstance(exc, HTTPException)
    status = exc.status_code
    if status == 404:
        text = f"There is no page at {request.url.path}."
    elif status == 405:
        text = f"{request.url.path} does not answer {request.method}."
    else:
        text = str(exc.detail)
    response = json_error(status, text) if is_api(request) else html_error(request, status, text)
    response.headers.update(exc.headers or {})  # a 405 names the methods allowed
    return response


HANDLERS: dict[Any, Any] = {
    HTTPException: on_http_error,
    LivepostError: on_error,
    Exception: on_error,  # 500: Starlette's server-error middleware calls it, then re-raises
}
