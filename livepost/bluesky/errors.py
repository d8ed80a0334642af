"""SDK exceptions -> the publisher's outcomes, with messages a comms officer can act on.

The SDK raises ``InvokeTimeoutError`` for timeouts, ``NetworkError`` for transport failures
(no response) and 409/413/502, ``UnauthorizedError`` for 401/403, ``BadRequestError`` for 400,
and a plain ``RequestException`` (newer versions: its subclass ``RateLimitExceededError``) for
429 and 5xx. The status code on ``.response`` decides, so every SDK version classifies the same.
"""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from atproto.exceptions import (
    AtProtocolError,
    InvokeTimeoutError,
    LoginRequiredError,
    RequestErrorBase,
)

from livepost.errors import NetworkError
from livepost.publish.base import AuthFailure, PublishError, RateLimited, Rejected, UnknownOutcome

#: what a call to Bluesky may raise that is an outcome of the call, not a bug of ours: the SDK's
#: errors (HTTP answers, timeouts, answers it cannot parse) and httpx's. Catch only these, so a
#: programming error is never mistaken for "the network failed".
CALL_ERRORS: tuple[type[Exception], ...] = (AtProtocolError, httpx.HTTPError)

#: 400 errors that mean the session is gone, not that the request was wrong
SESSION_ERRORS = frozenset({"ExpiredToken", "InvalidToken", "AuthMissing", "AuthRequired"})

#: createSession's answer (401) for an account with e-mail two-factor sign-in: the PDS has just
#: e-mailed a one-time code, to be sent back as ``authFactorToken``
AUTH_FACTOR_REQUIRED = "AuthFactorTokenRequired"
#: createSession's answers to a sign-in code that is wrong or too old
CODE_ERRORS = frozenset({"InvalidToken", "ExpiredToken"})


class AuthCodeRequired(AuthFailure):
    """The account signs in with a code e-mailed to it; ``livepost login`` asks for it."""


def error_parts(exc: RequestErrorBase) -> tuple[int | None, str, str]:
    """(status, XRPC error name, message) of a failed request."""
    response = exc.response
    if response is None:
        return None, "", ""
    content = response.content
    name = getattr(content, "error", None) or ""
    message = getattr(content, "message", None) or ""
    return response.status_code, str(name), str(message)


def reset_time(exc: RequestErrorBase) -> datetime | None:
    """``RateLimit-Reset`` (epoch seconds) of a 429 as an aware datetime."""
    headers = exc.response.headers if exc.response is not None else {}
    raw = (headers or {}).get("ratelimit-reset")
    try:
        return datetime.fromtimestamp(int(str(raw)), UTC) if raw is not None else None
    except (TypeError, ValueError, OverflowError):
        return None


def describe(exc: BaseException) -> str:
    cause = exc.__cause__ or exc.__context__
    text = str(cause or exc).strip()
    return f"{type(cause or exc).__name__}: {text}" if text else type(cause or exc).__name__


def classify(exc: Exception, what: str, *, account: str, service: str) -> PublishError:
    """The outcome of a failed call ``what`` (e.g. "createRecord")."""
    if isinstance(exc, InvokeTimeoutError):
        return UnknownOutcome(f"{what}: {service} did not answer in time")
    if isinstance(exc, LoginRequiredError):
        return AuthFailure(f"Not logged in to Bluesky as {account}.")
    if not isinstance(exc, RequestErrorBase):
        return UnknownOutcome(f"{what}: {describe(exc)}")
    status, name, message = error_parts(exc)
    detail = f"{name}: {message}" if name and message else (name or message)
    if status is None:
        return UnknownOutcome(f"{what}: cannot reach {service} ({describe(exc)})")
    if status == 429:
        return RateLimited(
            f"{what}: Bluesky's rate limit was reached (HTTP 429)", reset_at=reset_time(exc)
        )
    if status in (401, 403) or (status == 400 and name in SESSION_ERRORS):
        return AuthFailure(
            f"The Bluesky session of {account} on {service} is no longer valid "
            f"({detail or f'HTTP {status}'}).",
            hint="It was revoked or has expired. Log in again with: livepost login",
        )
    if status == 413:
        return Rejected(
            f"{what}: the PDS refused it as too large ({detail or 'HTTP 413'})", status=413
        )
    if status >= 500:
        return UnknownOutcome(f"{what}: HTTP {status} {detail}".rstrip())
    return Rejected(f"{what}: {detail or f'HTTP {status}'}", status=status)


def login_error(
    exc: Exception, *, account: str, service: str, code: str | None = None
) -> NetworkError | AuthFailure:
    """A failed createSession, said plainly; the caller does not retry. ``code`` is the e-mailed
    sign-in code sent with it, if any."""
    if isinstance(exc, RequestErrorBase):
        status, name, message = error_parts(exc)
        if name == AUTH_FACTOR_REQUIRED:
            return AuthCodeRequired(
                f"Bluesky e-mailed a sign-in code for {account} on {service}: the account has "
                "two-factor sign-in by e-mail, and the code is needed to log in.",
                hint="Run livepost login in a terminal to type it, or pass it: livepost login "
                "--code CODE (or set LIVEPOST_AUTH_CODE). An app password needs no code.",
            )
        if code is not None and name in CODE_ERRORS:
            return AuthFailure(
                f"Bluesky did not accept the sign-in code for {account} on {service} "
                f"({message or name or f'HTTP {status}'}).",
                hint="A code works once and expires soon; run livepost login again for a new one.",
            )
        if status == 401 or name == "AuthenticationRequired":
            return AuthFailure(
                f"Bluesky refused the login of {account} on {service}: wrong handle or app "
                "password.",
                hint="Check LIVEPOST_HANDLE and LIVEPOST_APP_PASSWORD (an app password is made in "
                "the Bluesky app: Settings > Privacy and security > App passwords).",
            )
        if status == 429:
            reset = reset_time(exc)
            when = f"after {reset:%H:%M} UTC" if reset else "in a few minutes"
            return NetworkError(
                f"Too many logins for {account} on {service} (HTTP 429).",
                hint=f"Bluesky allows 30 logins every 5 minutes and 300 a day. Try again {when}; "
                "livepost reuses its session, so one login is enough.",
            )
        if status is not None and status < 500:
            return AuthFailure(
                f"Bluesky refused the login of {account} on {service}: "
                f"{message or name or f'HTTP {status}'}."
            )
        if status is not None:
            return NetworkError(
                f"The Bluesky service {service} failed (HTTP {status}) during login.",
                hint="Try again in a few minutes.",
            )
    return NetworkError(
        f"Cannot reach the Bluesky service {service} ({describe(exc)}).",
        hint="Check LIVEPOST_SERVICE and the network connection, then try again.",
    )
