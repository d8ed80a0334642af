"""The team's JSON API under ``/api/v1/`` (the phone page uses it; documented in the README).

Authorised by ``Authorization: Bearer <token>`` (a team member's personal token, or the officer's
that ``serve`` printed) or by the console's cookie; a POST with the cookie alone must carry the
CSRF token in ``X-CSRF-Token``. Handlers only parse and render: what may be posted where, the
idempotency key and every check live in :class:`livepost.app.queue.EventQueue`.

Bodies are read with a size cap, refused by ``Content-Length`` first and counted while they
stream in (an image is spooled to a temporary file by the multipart parser, never held whole in
memory before the cap is known to hold); a JSON body within the limits of
:mod:`livepost.web.bodies` (its type, encoding, nesting, numbers and text).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from livepost.app.queue import MAX_UPLOAD_BYTES, PostRequest, Upload
from livepost.app.talks_now import talk_json
from livepost.app.wall import WallVerb
from livepost.errors import InputError, NotAllowed
from livepost.web.bodies import JSON_TYPE, capped, media_type, read_json, refuse_non_text
from livepost.web.errors import BadRequest
from livepost.web.security import CSRF_HEADER

if TYPE_CHECKING:
    from livepost.app.event import EventApp
    from livepost.web.console import Console
    from livepost.web.security import Guard

MAX_JSON_BYTES = 64 * 1024
MAX_FORM_BYTES = MAX_UPLOAD_BYTES + MAX_JSON_BYTES  # the image and the other fields

#: the wall's verbs and the body field each takes: a post's URI, or an author's DID
WALL_FIELDS = {
    WallVerb.HIDE: "uri",
    WallVerb.UNHIDE: "uri",
    WallVerb.PIN: "uri",
    WallVerb.UNPIN: "uri",
    WallVerb.BLOCK: "did",
    WallVerb.UNBLOCK: "did",
}


Handler = Callable[[Request], Awaitable[Response]]


class Api:
    """One method per route. Each asks the request's :class:`EventApp` (which decides whether
    the person may, before it looks anything up); errors become JSON in one place
    (:mod:`livepost.web.errors`)."""

    def __init__(self, console: Console, guard: Guard) -> None:
        self.console = console
        self.guard = guard

    def routes(self) -> list[Route]:
        def post(path: str, handler: Handler) -> Route:
            return Route(path, self.csrf_checked(handler), methods=["POST"])

        return [
            Route("/api/v1/me", self.me),
            Route("/api/v1/talks/current", self.current_talks),
            Route("/api/v1/preview", self.preview, methods=["POST"]),
            post("/api/v1/snippets", self.snippets),
            Route("/api/v1/posts", self.posts),
            Route("/api/v1/posts/{post_id:int}", self.csrf_checked(self.edit), methods=["PATCH"]),
            post("/api/v1/posts/{post_id:int}/cancel", self.cancel),
            Route("/api/v1/wall", self.wall),
            *(post(f"/api/v1/wall/{verb}", self.wall_action(verb)) for verb in WALL_FIELDS),
            post("/api/v1/replies/hide", self.hide_reply),
            post("/api/v1/queue/pause", self.pause),
            post("/api/v1/queue/resume", self.resume),
        ]

    def door(self, request: Request) -> EventApp:
        return self.console.app(request.state.actor)

    def csrf_checked(self, handler: Handler) -> Handler:
        """A change authorised by the cookie alone must carry the CSRF token (as every form)."""

        async def checked(request: Request) -> Response:
            if not request.state.bearer:
                session = request.cookies.get(self.guard.session_cookie)
                if not self.guard.csrf_ok(session, request.headers.get(CSRF_HEADER)):
                    raise NotAllowed(
                        "the request did not carry this console's CSRF token",
                        hint="Reload the page.",
                    )
            return await handler(request)

        return checked

    async def json_body(self, request: Request) -> dict[str, Any]:
        """The body's JSON object, within the limits of :mod:`livepost.web.bodies`."""
        return await read_json(request, MAX_JSON_BYTES)

    # --- routes ---------------------------------------------------------------------------------

    async def me(self, request: Request) -> Response:
        actor = self.door(request).actor
        return JSONResponse(
            {"name": actor.name, "role": str(actor.role), "rooms": list(actor.rooms)}
        )

    async def current_talks(self, request: Request) -> Response:
        door = self.door(request)
        found = await run_in_threadpool(door.talks_now)
        zone = door.zone
        return JSONResponse(
            {
                "now": found.now.astimezone(zone).isoformat(),
                "talks": [talk_json(t, zone) for t in found.current],
                "next": [talk_json(t, zone) for t in found.next],
            }
        )

    async def preview(self, request: Request) -> Response:
        """The posts a text becomes (counts and the thread split), queueing nothing."""
        data = await self.json_body(request)
        text, talk = _text(data, "text"), _text(data, "talk") or None
        found = await run_in_threadpool(self.door(request).queue.preview, text, talk)
        return JSONResponse(
            {
                "graphemes": found.graphemes,
                "posts": [{"text": p.text, "graphemes": p.graphemes} for p in found.posts],
            }
        )

    async def snippets(self, request: Request) -> Response:
        """Queue a snippet (or photo) into a talk's thread; the same ``key`` again is the same
        post: 200 with its id, nothing new queued."""
        door = self.door(request)
        post = await self.snippet_request(request)
        queued = await run_in_threadpool(door.queue.queue, post)
        return JSONResponse(
            {
                "id": queued.ids[0],
                "ids": queued.ids,
                "state": str(queued.state),
                "key": post.key,
                "talk": post.talk_id,
                "due": queued.due_at.astimezone(door.zone).isoformat(),
                "parts": len(queued.ids),
            },
            status_code=200 if queued.existing else 201,
        )

    async def snippet_request(self, request: Request) -> PostRequest:
        kind, _params = media_type(request)
        if kind == "multipart/form-data":
            async with capped(request, MAX_FORM_BYTES).form(max_files=1, max_fields=10) as form:
                fields = {k: v for k, v in form.items() if isinstance(v, str)}
                refuse_non_text(fields)
                image = form.get("image")
                upload = None
                if isinstance(image, UploadFile):
                    refuse_non_text(image.filename)
                    data = await image.read(MAX_UPLOAD_BYTES + 1)
                    upload = Upload(data, image.filename or "photo", fields.get("alt", ""))
                elif fields.get("alt"):
                    raise InputError("image", "alt text was sent without an image")
            data_fields: dict[str, Any] = fields
        elif kind == JSON_TYPE:
            data_fields, upload = await self.json_body(request), None
        else:
            shown = kind or "a body without a Content-Type"
            raise BadRequest(f"send {JSON_TYPE} or multipart/form-data, not {shown}")
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
        """The posts (a reporter: their own, always; anyone else with ``?mine=1``)."""
        mine = request.query_params.get("mine") in ("1", "true")
        rows = await run_in_threadpool(lambda: self.door(request).queue.posts(mine=mine))
        return JSONResponse({"posts": rows})

    async def edit(self, request: Request) -> Response:
        post_id = int(request.path_params["post_id"])
        data = await self.json_body(request)
        queue = self.door(request).queue
        await run_in_threadpool(lambda: queue.edit(post_id, text=_text(data, "text")))
        row = await run_in_threadpool(queue.get, post_id)
        return JSONResponse(row)

    async def cancel(self, request: Request) -> Response:
        post_id = int(request.path_params["post_id"])
        changed = await run_in_threadpool(self.door(request).queue.cancel, post_id)
        return JSONResponse({"cancelled": [c.id for c in changed]})

    # --- the wall, replies, sending (officers) --------------------------------------------------

    async def wall(self, request: Request) -> Response:
        return JSONResponse(await run_in_threadpool(self.door(request).wall.to_json))

    def wall_action(self, verb: WallVerb) -> Handler:
        """``POST /api/v1/wall/<verb>`` with ``{"uri": ...}`` or ``{"did": ...}``."""
        name = WALL_FIELDS[verb]

        async def act(request: Request) -> Response:
            data = await self.json_body(request)
            target = _target(data, name)
            changed = await run_in_threadpool(self.door(request).wall.act, verb, target)
            return JSONResponse({"action": str(verb), name: target.strip(), "changed": changed})

        act.__name__ = f"wall_{verb}"
        return act

    async def hide_reply(self, request: Request) -> Response:
        """``POST /api/v1/replies/hide`` with ``{"uri": ...}``: hidden in its thread's gate."""
        data = await self.json_body(request)
        uri = _target(data, "uri")
        root = await run_in_threadpool(self.door(request).replies.hide, uri)
        return JSONResponse({"uri": uri.strip(), "thread": root, "hidden": True})

    async def pause(self, request: Request) -> Response:
        await run_in_threadpool(self.door(request).queue.set_paused, True)
        return JSONResponse({"paused": True})

    async def resume(self, request: Request) -> Response:
        await run_in_threadpool(self.door(request).queue.set_paused, False)
        return JSONResponse({"paused": False})


def _text(data: dict[str, Any], name: str) -> str:
    value = data.get(name, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InputError(name, f"{name} must be a string")
    return value


def _target(data: dict[str, Any], name: str) -> str:
    """The URI or DID a moderation names. Anything but a string counts as none: the application
    layer asks whether the person may act before it looks at the target (a viewer gets 403 for
    any body), and then says what is wrong with it."""
    value = data.get(name)
    return value if isinstance(value, str) else ""
