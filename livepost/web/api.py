"""The team's JSON API under ``/api/v1/`` (the phone page uses it; documented in the README).

Authorised by ``Authorization: Bearer <token>`` (a team member's personal token, or the officer's
that ``serve`` printed) or by the console's cookie; a POST with the cookie alone must carry the
CSRF token in ``X-CSRF-Token``. Handlers only parse and render: what may be posted where, the
idempotency key and every check live in :class:`livepost.app.queue.EventQueue`.

Bodies are read with a size cap, refused by ``Content-Length`` first and counted while they
stream in (an image is spooled to a temporary file by the multipart parser, never held whole in
memory before the cap is known to hold).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Message

from livepost.app.queue import MAX_UPLOAD_BYTES, EventQueue, PostRequest, Upload
from livepost.app.talks_now import talk_json, talks_now
from livepost.errors import InputError, LivepostError, NotAllowed
from livepost.model.actors import Actor
from livepost.outbox.queries import OutboxError
from livepost.web.security import CSRF_HEADER

if TYPE_CHECKING:
    from livepost.web.console import Console
    from livepost.web.security import Guard

MAX_JSON_BYTES = 64 * 1024
MAX_FORM_BYTES = MAX_UPLOAD_BYTES + MAX_JSON_BYTES  # the image and the other fields


class BodyTooLarge(Exception):
    """The request body is over its cap (said by Content-Length, or counted while reading)."""


def capped(request: Request, cap: int) -> Request:
    """The request, reading whose body raises :class:`BodyTooLarge` past ``cap`` bytes."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > cap:
        raise BodyTooLarge
    seen = 0
    receive = request.receive

    async def counting() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > cap:
                raise BodyTooLarge
        return message

    return Request(request.scope, counting)


def _error(status: int, text: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": text, **extra}, status_code=status)


def _refusal(exc: LivepostError) -> JSONResponse:
    """An application-layer error as the API answers it."""
    reason = exc.message + (f" {exc.hint}" if exc.hint else "")
    if isinstance(exc, NotAllowed):
        return _error(403, reason)
    if isinstance(exc, InputError):
        return _error(422, exc.detail + (f" {exc.hint}" if exc.hint else ""), field=exc.path)
    if isinstance(exc, OutboxError):
        return _error(409, reason)
    return _error(503, reason)


Handler = Callable[[Request], Awaitable[Response]]


class Api:
    """One method per route."""

    def __init__(self, console: Console, guard: Guard) -> None:
        self.console = console
        self.guard = guard

    def routes(self) -> list[Route]:
        return [
            Route("/api/v1/me", self.me),
            Route("/api/v1/talks/current", self.current_talks),
            Route("/api/v1/preview", self.preview, methods=["POST"]),
            Route("/api/v1/snippets", self.snippets, methods=["POST"]),
            Route("/api/v1/posts", self.posts),
            Route("/api/v1/posts/{post_id:int}", self.edit, methods=["PATCH"]),
            Route("/api/v1/posts/{post_id:int}/cancel", self.cancel, methods=["POST"]),
        ]

    def queue(self, request: Request) -> EventQueue:
        actor: Actor = request.state.actor
        console = self.console
        return EventQueue(console.settings, console.engine, actor, console.clock)

    def csrf_refused(self, request: Request) -> Response | None:
        """A POST authorised by the cookie alone must carry the CSRF token (as every form)."""
        if request.state.bearer:
            return None
        session = request.cookies.get(self.guard.session_cookie)
        if self.guard.csrf_ok(session, request.headers.get(CSRF_HEADER)):
            return None
        return _error(403, "the request did not carry this console's CSRF token; reload the page")

    async def json_body(self, request: Request) -> dict[str, Any]:
        raw = await capped(request, MAX_JSON_BYTES).body()
        try:
            data = json.loads(raw or b"{}")
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise InputError("body", "the body is not JSON") from None
        if not isinstance(data, dict):
            raise InputError("body", "the body must be a JSON object")
        return data

    # --- routes ---------------------------------------------------------------------------------

    async def me(self, request: Request) -> Response:
        actor: Actor = request.state.actor
        return JSONResponse({"name": actor.name, "role": str(actor.role), "rooms": actor.rooms})

    async def current_talks(self, request: Request) -> Response:
        console = self.console
        found = await run_in_threadpool(
            talks_now, console.settings, console.engine, request.state.actor, console.clock()
        )
        zone = console.zone
        return JSONResponse(
            {
                "now": found.now.astimezone(zone).isoformat(),
                "talks": [talk_json(t, zone) for t in found.current],
                "next": [talk_json(t, zone) for t in found.next],
            }
        )

    async def preview(self, request: Request) -> Response:
        """The posts a text becomes (counts and the thread split), queueing nothing."""
        try:
            data = await self.json_body(request)
            text, talk = _text(data, "text"), _text(data, "talk") or None
            found = await run_in_threadpool(self.queue(request).preview, text, talk)
        except BodyTooLarge:
            return _error(413, "the body is too large")
        except LivepostError as exc:
            return _refusal(exc)
        return JSONResponse(
            {
                "graphemes": found.graphemes,
                "posts": [{"text": p.text, "graphemes": p.graphemes} for p in found.posts],
            }
        )

    async def snippets(self, request: Request) -> Response:
        """Queue a snippet (or photo) into a talk's thread; the same ``key`` again is the same
        post: 200 with its id, nothing new queued."""
        refused = self.csrf_refused(request)
        if refused is not None:
            return refused
        try:
            post = await self.snippet_request(request)
            queue = self.queue(request)
            queued = await run_in_threadpool(queue.queue, post)
        except BodyTooLarge:
            return _error(413, f"the body is larger than {MAX_FORM_BYTES // 1024 // 1024} MB")
        except LivepostError as exc:
            return _refusal(exc)
        return JSONResponse(
            {
                "id": queued.ids[0],
                "ids": queued.ids,
                "state": str(queued.state),
                "key": post.key,
                "talk": post.talk_id,
                "due": queued.due_at.astimezone(self.console.zone).isoformat(),
                "parts": len(queued.ids),
            },
            status_code=200 if queued.existing else 201,
        )

    async def snippet_request(self, request: Request) -> PostRequest:
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind == "multipart/form-data":
            async with capped(request, MAX_FORM_BYTES).form(max_files=1, max_fields=10) as form:
                fields = {k: v for k, v in form.items() if isinstance(v, str)}
                image = form.get("image")
                upload = None
                if isinstance(image, UploadFile):
                    data = await image.read(MAX_UPLOAD_BYTES + 1)
                    upload = Upload(data, image.filename or "photo", fields.get("alt", ""))
                elif fields.get("alt"):
                    raise InputError("image", "alt text was sent without an image")
            data_fields: dict[str, Any] = fields
        elif kind == "application/json":
            data_fields, upload = await self.json_body(request), None
        else:
            raise InputError("body", "send JSON or multipart/form-data")
        talk = _text(data_fields, "talk").strip()
        if not talk:
            raise InputError("talk", "a snippet needs its talk (an id from talks/current)")
        key = _text(data_fields, "key") or None
        return PostRequest(
            _text(data_fields, "text"),
            talk_id=talk,
            key=key,
            uploads=[upload] if upload else [],
        )

    async def posts(self, request: Request) -> Response:
        actor: Actor = request.state.actor
        mine = request.query_params.get("mine") in ("1", "true") or actor.role == "reporter"
        rows = await run_in_threadpool(lambda: self.queue(request).posts(mine=mine))
        return JSONResponse({"posts": rows})

    async def edit(self, request: Request) -> Response:
        refused = self.csrf_refused(request)
        if refused is not None:
            return refused
        post_id = int(request.path_params["post_id"])
        try:
            data = await self.json_body(request)
            queue = self.queue(request)
            await run_in_threadpool(lambda: queue.edit(post_id, text=_text(data, "text")))
            row = await run_in_threadpool(queue.get, post_id)
        except BodyTooLarge:
            return _error(413, "the body is too large")
        except LivepostError as exc:
            return _refusal(exc)
        return JSONResponse(row)

    async def cancel(self, request: Request) -> Response:
        refused = self.csrf_refused(request)
        if refused is not None:
            return refused
        post_id = int(request.path_params["post_id"])
        try:
            changed = await run_in_threadpool(self.queue(request).cancel, post_id)
        except LivepostError as exc:
            return _refusal(exc)
        return JSONResponse({"cancelled": [c.id for c in changed]})


def _text(data: dict[str, Any], name: str) -> str:
    value = data.get(name, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InputError(name, f"{name} must be a string")
    return value
