"""Who may use the console: an access token (as Jupyter does) and a CSRF token on every form.

The token is printed once at start, in the console's URL. A request that carries it (``?token=``
or ``Authorization: Bearer``) gets it back as an HttpOnly, SameSite=Strict cookie, so later pages
and htmx requests are authorised by the cookie alone. Anything else gets a 401 page that says
where to find the URL. Each browser also gets a random session cookie; its CSRF token is an HMAC
of that session, put into every form (hidden field) and every htmx request (header) and checked
on every POST, so another site cannot make the officer's browser queue or cancel posts.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from livepost.model.actors import Actor
from livepost.web.errors import json_error

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"

#: the Content-Security-Policy of every page: nothing from the network, no inline script
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "object-src 'none'"
)
#: the wall shows the community's images from Bluesky's image host (and nothing else from away)
WALL_CSP = CSP.replace("img-src 'self' data: blob:", "img-src 'self' data: https:")
SECURITY_HEADERS = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),  # the token never leaks through a Referer
    (b"x-frame-options", b"DENY"),
    (b"cache-control", b"no-store"),
)

UNAUTHORIZED_TEXT = (
    "This livepost console needs its access token. Open the address that 'livepost serve' "
    "printed when it started (it ends in ?token=...)."
)
BAD_TOKEN_TEXT = (
    "That access token is not the one this console was started with. Each 'livepost serve' "
    "prints a new address: copy it again from the terminal."
)
CSRF_TEXT = (
    "This form was refused: it did not carry this console's security token. Reload the page "
    "and try again."
)


def new_token() -> str:
    """A fresh access token (32 random bytes, URL-safe)."""
    return secrets.token_urlsafe(32)


def same_secret(given: str | None, expected: str) -> bool:
    """Constant-time comparison (a timing difference must not reveal the token)."""
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


#: a team member by personal token (None: unknown or revoked), asked on every request so that
#: a revoked token stops working at once
TeamLookup = Callable[[str], "Actor | None"]


@dataclass(frozen=True)
class Guard:
    """The console's secrets: the officer's access token, the team's tokens (looked up in the
    database) and the key CSRF tokens are derived with."""

    token: str
    port: int
    key: bytes = b""
    team: TeamLookup | None = field(default=None, compare=False)
    #: served over HTTPS (``serve --base-url https://...``): cookies are sent only over HTTPS
    secure_cookies: bool = False

    def __post_init__(self) -> None:
        if not self.key:
            object.__setattr__(self, "key", secrets.token_bytes(32))

    @property
    def token_cookie(self) -> str:
        # cookies ignore ports: two consoles on one machine must not overwrite each other's
        return f"livepost_token_{self.port}"

    @property
    def session_cookie(self) -> str:
        return f"livepost_session_{self.port}"

    def csrf_for(self, session: str) -> str:
        """The CSRF token of one browser session."""
        return hmac.new(self.key, session.encode(), hashlib.sha256).hexdigest()

    def csrf_ok(self, session: str | None, given: str | None) -> bool:
        return bool(session) and same_secret(given, self.csrf_for(session or ""))

    def who(self, token: str | None) -> Actor | None:
        """Whose token this is: the officer's (printed by serve), a team member's, or no one's."""
        if not token:
            return None
        if same_secret(token, self.token):
            return Actor.owner()
        if self.team is None:
            return None
        return self.team(token)


def _cookie(name: str, value: str, secure: bool = False) -> bytes:
    flags = "; Secure" if secure else ""
    return f"{name}={value}; Path=/; HttpOnly; SameSite=Strict{flags}".encode()


def _error_page(status: int, title: str, text: str) -> Response:
    from livepost.web.render import render_page

    return HTMLResponse(render_page("error.html", title=title, text=text), status_code=status)


class AccessMiddleware:
    """Refuse every request without the access token; hand out the cookies; add the headers.

    Files under ``/static/`` (htmx, the style sheet) are public: they hold nothing about the
    event, and the 401 page needs its style sheet.
    """

    def __init__(self, app: ASGIApp, guard: Guard) -> None:
        self.app = app
        self.guard = guard

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        cookies = request.cookies
        extra: list[tuple[bytes, bytes]] = list(SECURITY_HEADERS)
        if scope["path"] in ("/wall", "/wall/posts"):
            extra[0] = (b"content-security-policy", WALL_CSP.encode())
        if not scope["path"].startswith("/static/"):
            api = scope["path"].startswith("/api/")
            # https as the client sees it: uvicorn believes X-Forwarded-Proto from a trusted proxy
            secure = self.guard.secure_cookies or scope.get("scheme") == "https"
            offered = _offered_token(scope, request)
            cookie = cookies.get(self.guard.token_cookie)
            token = offered if offered is not None else cookie
            actor = await run_in_threadpool(self.guard.who, token) if token else None
            if actor is None or token is None:
                wrong = token is not None
                refusal: Response
                if api:
                    text = "wrong or revoked token" if wrong else "an access token is needed"
                    refusal = json_error(401, text, "unauthorized")
                elif wrong:
                    refusal = _error_page(401, "Wrong access token", BAD_TOKEN_TEXT)
                else:
                    refusal = _error_page(401, "Access token needed", UNAUTHORIZED_TEXT)
                await _send_with(refusal, extra)(scope, receive, send)
                return
            if token != cookie and not (api and offered is not None):
                extra.append((b"set-cookie", _cookie(self.guard.token_cookie, token, secure)))
            session = cookies.get(self.guard.session_cookie)
            if not session:
                session = secrets.token_urlsafe(24)
                extra.append((b"set-cookie", _cookie(self.guard.session_cookie, session, secure)))
            state = scope.setdefault("state", {})
            state["csrf"] = self.guard.csrf_for(session)
            state["session"] = session
            state["actor"] = actor
            state["bearer"] = offered is not None
        await self.app(scope, receive, _adding(send, extra))


def _offered_token(scope: Scope, request: Request) -> str | None:
    raw: bytes = scope.get("query_string", b"")
    query = parse_qs(raw.decode("latin-1"))
    if "token" in query:
        return str(query["token"][-1])
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return None


def _adding(send: Send, headers: list[tuple[bytes, bytes]]) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = dict(message)
            names = {name for name, _ in message.get("headers", [])}
            message["headers"] = [
                *message.get("headers", []),
                *((n, v) for n, v in headers if n not in names or n == b"set-cookie"),
            ]
        await send(message)

    return wrapped


def _send_with(response: Response, headers: list[tuple[bytes, bytes]]) -> ASGIApp:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await response(scope, receive, _adding(send, headers))

    return app


Handler = Callable[[Request], Awaitable[Response]]


def csrf_protected(guard: Guard, handler: Handler) -> Handler:
    """Wrap a POST handler: refuse (403) unless the form or header carries the CSRF token."""

    async def checked(request: Request) -> Response:
        given = request.headers.get(CSRF_HEADER)
        if given is None:
            form = await request.form()
            value = form.get(CSRF_FIELD)
            given = value if isinstance(value, str) else None
        session = request.cookies.get(guard.session_cookie)
        if not guard.csrf_ok(session, given):
            return _error_page(403, "Form refused", CSRF_TEXT)
        return await handler(request)

    checked.__name__ = getattr(handler, "__name__", "handler")
    checked.__doc__ = handler.__doc__
    return checked
