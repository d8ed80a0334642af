"""The console's HTTP routes: thin handlers that read the form, call the view code, render.

Pages are server-rendered and work without JavaScript; htmx (vendored in ``static/``) adds live
updates: the timeline, queue and engagement panels poll every few seconds and are only swapped
when what they show has changed (so keyboard focus is not lost to a refresh), and the compose
preview follows the text as it is typed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from livepost.app.doctor import Check, run_checks
from livepost.app.status import daemon_state
from livepost.app.team import authenticate
from livepost.app.wall import Replies, Wall
from livepost.errors import LivepostError, NotAllowed
from livepost.model.actors import Role
from livepost.store.engine import open_database
from livepost.web.api import Api
from livepost.web.composer import ComposeError, ComposeForm
from livepost.web.console import Console, utc_clock
from livepost.web.render import render_page
from livepost.web.security import CSRF_FIELD, AccessMiddleware, Guard, csrf_protected

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy import Engine

    from livepost.app.doctor import Check
    from livepost.config import Settings
    from livepost.store.wall import WallPost

STATIC = Path(__file__).resolve().parent / "static"
POLL_SECONDS = 3
NAV = (
    ("today", "/", "Today"),
    ("compose", "/compose", "Compose"),
    ("queue", "/queue", "Queue"),
    ("engagement", "/engagement", "Engagement"),
    ("wall", "/wall/manage", "Wall"),
    ("checks", "/checks", "Checks"),
)

Handler = Callable[[Request], Awaitable[Response]]


def create_app(
    settings: Settings,
    *,
    token: str,
    port: int = 8765,
    engine: Engine | None = None,
    clock: Callable[[], datetime] = utc_clock,
    online_checks: bool = True,
    secure_cookies: bool = False,
) -> Starlette:
    """The console for one event. ``token`` is the access token printed at start."""
    if engine is None:
        engine = open_database(settings.database_url)
    console = Console(settings, engine, clock)
    guard = Guard(
        token=token,
        port=port,
        team=lambda token: authenticate(settings, engine, token),
        secure_cookies=secure_cookies,
    )
    api = Api(console, guard)
    pages = _Pages(console, online_checks)

    def post(path: str, handler: Handler) -> Route:
        return Route(path, csrf_protected(guard, handler), methods=["POST"])

    routes = [
        Route("/", pages.today),
        Route("/today/timeline", pages.timeline),
        Route("/compose", pages.compose),
        post("/compose", pages.compose_submit),
        post("/compose/preview", pages.compose_preview),
        Route("/card.png", pages.card),
        Route("/queue", pages.queue),
        Route("/queue/list", pages.queue_list),
        post("/queue/pause", pages.pause),
        post("/queue/resume", pages.resume),
        Route("/posts/{post_id:int}/edit", pages.edit),
        post("/posts/{post_id:int}/edit", pages.edit_submit),
        post("/posts/{post_id:int}/cancel", pages.cancel),
        post("/posts/{post_id:int}/retry", pages.retry),
        post("/posts/{post_id:int}/up", pages.move_up),
        post("/posts/{post_id:int}/down", pages.move_down),
        Route("/engagement", pages.engagement),
        Route("/engagement/panel", pages.engagement_panel),
        Route("/wall", pages.wall),
        Route("/wall/posts", pages.wall_panel),
        Route("/api/v1/wall", pages.wall_json),
        Route("/wall/manage", pages.wall_manage),
        post("/wall/{verb:str}", pages.wall_act),
        post("/replies/hide", pages.hide_reply),
        Route("/checks", pages.checks),
        Route("/checks/results", pages.check_results),
        Route("/r", pages.phone),
        *api.routes(),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={404: _not_found})
    app.add_middleware(AccessMiddleware, guard=guard)
    app.state.console = console
    app.state.guard = guard
    return app


async def _not_found(request: Request, exc: Exception) -> Response:
    return HTMLResponse(
        render_page(
            "error.html", title="Not found", text=f"There is no page at {request.url.path}."
        ),
        status_code=404,
    )


def _is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def _redirect(request: Request, url: str) -> Response:
    """After a POST: htmx navigates to ``url``; a plain form gets a 303."""
    if _is_htmx(request):
        return Response(status_code=200, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def _stamp(html: str) -> str:
    return hashlib.sha256(html.encode()).hexdigest()[:16]


class _Pages:
    """One method per route; each does its database work in a worker thread."""

    def __init__(self, console: Console, online_checks: bool) -> None:
        self.console = console
        self.online_checks = online_checks

    # --- helpers ---------------------------------------------------------------------------------

    def c(self, request: Request) -> Console:
        """The console as the person asking sees it (their role decides what they may do)."""
        actor = getattr(request.state, "actor", None)
        return replace(self.console, actor=actor) if actor is not None else self.console

    def page(self, request: Request, name: str, status: int = 200, **context: Any) -> Response:
        context.setdefault("active", "")
        html = render_page(
            name,
            csrf=request.state.csrf,
            csrf_field=CSRF_FIELD,
            event_name=self.c(request).settings.event.name,
            nav=NAV,
            poll=POLL_SECONDS,
            **context,
        )
        return HTMLResponse(html, status_code=status)

    def panel(self, request: Request, name: str, url: str, **context: Any) -> Response:
        """A polled panel: 204 (nothing to swap) when it shows what the browser already has."""
        inner = render_page(name, csrf=request.state.csrf, csrf_field=CSRF_FIELD, **context)
        stamp = _stamp(inner)
        if request.query_params.get("since") == stamp:
            return Response(status_code=204)
        html = render_page(
            "_poll.html", inner=inner, url=url, stamp=stamp, poll=POLL_SECONDS, id=context["id"]
        )
        return HTMLResponse(html)

    def polled(self, request: Request, name: str, url: str, **context: Any) -> str:
        """The first rendering of a polled panel, inside a full page."""
        inner = render_page(name, csrf=request.state.csrf, csrf_field=CSRF_FIELD, **context)
        return render_page(
            "_poll.html",
            inner=inner,
            url=url,
            stamp=_stamp(inner),
            poll=POLL_SECONDS,
            id=context["id"],
        )

    def error_page(self, request: Request, exc: LivepostError, status: int = 409) -> Response:
        if isinstance(exc, NotAllowed):
            status = 403
        text = exc.message + (f" {exc.hint}" if exc.hint else "")
        return self.page(request, "error.html", status=status, title="Not done", text=text)

    # --- today -----------------------------------------------------------------------------------

    async def today(self, request: Request) -> Response:
        from livepost.web.today import today_view

        if self.c(request).actor.role == Role.REPORTER and "day" not in request.query_params:
            return RedirectResponse("/r", status_code=303)  # a reporter's link opens their page

        day = _day_param(request)
        view = await run_in_threadpool(today_view, self.c(request), day)
        url = f"/today/timeline?day={view.day.isoformat()}"
        timeline = self.polled(request, "_timeline.html", url, view=view, id="timeline")
        return self.page(request, "today.html", active="today", view=view, timeline=timeline)

    async def timeline(self, request: Request) -> Response:
        from livepost.web.today import today_view

        view = await run_in_threadpool(today_view, self.c(request), _day_param(request))
        url = f"/today/timeline?day={view.day.isoformat()}"
        return self.panel(request, "_timeline.html", url, view=view, id="timeline")

    async def phone(self, request: Request) -> Response:
        """The reporter's phone page: the talk in my room now, a text box, a photo, send."""
        actor = self.c(request).actor
        html = render_page(
            "phone.html",
            csrf=request.state.csrf,
            event_name=self.console.settings.event.name,
            who=actor.name,
            role=str(actor.role),
        )
        return HTMLResponse(html)

    # --- compose ---------------------------------------------------------------------------------

    async def compose(self, request: Request) -> Response:
        form = ComposeForm(talk_id=request.query_params.get("talk", ""))
        return await self.compose_page(request, form)

    async def compose_page(
        self, request: Request, form: ComposeForm, error: ComposeError | None = None
    ) -> Response:
        from livepost.web.composer import preview

        talks = await run_in_threadpool(self.c(request).talks)
        result = await run_in_threadpool(preview, self.c(request), form)
        now = self.c(request).now()
        return self.page(
            request,
            "compose.html",
            status=422 if error else 200,
            active="compose",
            form=form,
            talks=[t for t in talks if not t.withdrawn and t.kind == "talk"],
            preview=result,
            error=error,
            now=now,
            zone=self.c(request).zone.key,
        )

    async def compose_preview(self, request: Request) -> Response:
        from livepost.web.composer import preview

        form = ComposeForm.from_fields((await request.form()).get)
        result = await run_in_threadpool(preview, self.c(request), form)
        html = render_page("_preview.html", preview=result, form=form, oob=True)
        return HTMLResponse(html)

    async def compose_submit(self, request: Request) -> Response:
        from livepost.web.composer import queue_form

        data = await request.form()
        form = ComposeForm.from_fields(data.get)
        upload = data.get("image")
        image, filename = None, ""
        if isinstance(upload, UploadFile) and upload.filename:
            image, filename = await upload.read(), upload.filename
        try:
            ids = await run_in_threadpool(queue_form, self.c(request), form, image, filename)
        except ComposeError as exc:
            return await self.compose_page(request, form, exc)
        except NotAllowed as exc:
            return self.error_page(request, exc)
        except LivepostError as exc:
            return await self.compose_page(request, form, ComposeError("text", exc.message))
        return _redirect(request, f"/queue?queued={ids[0]}")

    async def card(self, request: Request) -> Response:
        from livepost.web.composer import card_image

        params = request.query_params
        try:
            card = await run_in_threadpool(
                card_image,
                self.c(request),
                params.get("kind", "talk"),
                params.get("talk", ""),
                params.get("text", ""),
            )
        except LivepostError as exc:
            return Response(exc.message, status_code=404, media_type="text/plain")
        return Response(
            card.data,
            media_type=card.mime,
            headers={"X-Alt-Text": quote(card.alt)},
        )

    # --- queue -----------------------------------------------------------------------------------

    async def queue(self, request: Request) -> Response:
        from livepost.web.queue import queue_view

        view = await run_in_threadpool(queue_view, self.c(request))
        listing = self.polled(request, "_queue.html", "/queue/list", view=view, id="queue")
        queued = request.query_params.get("queued", "")
        return self.page(
            request,
            "queue.html",
            active="queue",
            listing=listing,
            queued=queued if queued.isdigit() else "",
        )

    async def queue_list(self, request: Request) -> Response:
        from livepost.web.queue import queue_view

        view = await run_in_threadpool(queue_view, self.c(request))
        return self.panel(request, "_queue.html", "/queue/list", view=view, id="queue")

    async def act(self, request: Request, action: Callable[[], object]) -> Response:
        try:
            await run_in_threadpool(action)
        except LivepostError as exc:
            return self.error_page(request, exc)
        return _redirect(request, "/queue")

    async def pause(self, request: Request) -> Response:
        from livepost.web.queue import set_paused

        return await self.act(request, lambda: set_paused(self.c(request), True))

    async def resume(self, request: Request) -> Response:
        from livepost.web.queue import set_paused

        return await self.act(request, lambda: set_paused(self.c(request), False))

    async def cancel(self, request: Request) -> Response:
        from livepost.web.queue import cancel_post

        post_id = int(request.path_params["post_id"])
        return await self.act(request, lambda: cancel_post(self.c(request), post_id))

    async def retry(self, request: Request) -> Response:
        from livepost.web.queue import retry_post

        post_id = int(request.path_params["post_id"])
        return await self.act(request, lambda: retry_post(self.c(request), post_id))

    async def move_up(self, request: Request) -> Response:
        from livepost.web.queue import move_post

        post_id = int(request.path_params["post_id"])
        return await self.act(request, lambda: move_post(self.c(request), post_id, "up"))

    async def move_down(self, request: Request) -> Response:
        from livepost.web.queue import move_post

        post_id = int(request.path_params["post_id"])
        return await self.act(request, lambda: move_post(self.c(request), post_id, "down"))

    async def edit(self, request: Request) -> Response:
        from livepost.web.queue import post_for_edit

        post_id = int(request.path_params["post_id"])
        try:
            post, text = await run_in_threadpool(post_for_edit, self.c(request), post_id)
        except LivepostError as exc:
            return self.error_page(request, exc, status=404)
        return self.page(
            request,
            "edit.html",
            active="queue",
            post=post,
            text=text,
            due=post.due,
            alts=[str(i.get("alt", "")) for i in post.images],
            error=None,
            zone=self.c(request).zone.key,
        )

    async def edit_submit(self, request: Request) -> Response:
        from livepost.web.queue import edit_post, post_for_edit

        post_id = int(request.path_params["post_id"])
        data = await request.form()
        text = str(data.get("text") or "")
        due = str(data.get("due") or "")
        alts = [str(a) for a in data.getlist("alt")]
        try:
            await run_in_threadpool(
                lambda: edit_post(self.c(request), post_id, text=text, due=due, alts=alts)
            )
        except ComposeError as exc:
            post, _ = await run_in_threadpool(post_for_edit, self.c(request), post_id)
            return self.page(
                request,
                "edit.html",
                status=422,
                active="queue",
                post=post,
                text=text,
                due=post.due,
                alts=alts,
                error=exc,
                zone=self.c(request).zone.key,
            )
        except LivepostError as exc:
            return self.error_page(request, exc)
        return _redirect(request, "/queue")

    # --- engagement and checks -------------------------------------------------------------------

    async def engagement(self, request: Request) -> Response:
        from livepost.web.engagement import engagement_view

        view = await run_in_threadpool(engagement_view, self.c(request))
        panel = self.polled(request, "_engagement.html", "/engagement/panel", view=view, id="eng")
        return self.page(request, "engagement.html", active="engagement", panel=panel)

    async def engagement_panel(self, request: Request) -> Response:
        from livepost.web.engagement import engagement_view

        view = await run_in_threadpool(engagement_view, self.c(request))
        return self.panel(request, "_engagement.html", "/engagement/panel", view=view, id="eng")

    # --- the venue wall --------------------------------------------------------------------------

    def _scope(self, request: Request) -> dict[str, Any]:
        c = self.c(request)
        return {"settings": c.settings, "engine": c.engine, "actor": c.actor, "clock": c.clock}

    def _wall(self, request: Request) -> Wall:
        return Wall(**self._scope(request))

    def _local(self, moment: datetime) -> str:
        return f"{self.console.local(moment):%H:%M}"

    def _wall_panel_html(self, request: Request, posts: list[WallPost]) -> tuple[str, str]:
        refresh = self.console.settings.wall.refresh_seconds
        inner = render_page(
            "_wall.html",
            posts=posts,
            hashtags=self.console.settings.event.hashtags,
            local=self._local,
        )
        stamp = _stamp(inner)
        html = render_page(
            "_poll.html", inner=inner, url="/wall/posts", stamp=stamp, poll=refresh, id="wall"
        )
        return html, stamp

    async def wall(self, request: Request) -> Response:
        posts = await run_in_threadpool(self._wall(request).posts)
        panel, _ = self._wall_panel_html(request, posts)
        html = render_page(
            "wall.html",
            panel=panel,
            event_name=self.console.settings.event.name,
            hashtags=self.console.settings.event.hashtags,
        )
        return HTMLResponse(html)

    async def wall_panel(self, request: Request) -> Response:
        posts = await run_in_threadpool(self._wall(request).posts)
        html, stamp = self._wall_panel_html(request, posts)
        if request.query_params.get("since") == stamp:
            return Response(status_code=204)
        return HTMLResponse(html)

    async def wall_json(self, request: Request) -> Response:
        return JSONResponse(await run_in_threadpool(self._wall(request).to_json))

    def _actor(self, request: Request) -> str:
        host = request.client.host if request.client else "?"
        session = str(getattr(request.state, "session", ""))[:6]
        return f"console {host} {session}".strip()

    async def wall_manage(self, request: Request, message: str = "") -> Response:
        wall = self._wall(request)

        def load() -> dict[str, Any]:
            standing = wall.decisions()
            return {
                "posts": wall.posts(moderated=False),
                "hidden": {d.target for d in standing if d.action == "hide"},
                "blocked": {d.target for d in standing if d.action == "block"},
                "replies": wall.replies(),
                "log": wall.log(),
            }

        context = await run_in_threadpool(load)
        return self.page(
            request,
            "wall_manage.html",
            active="wall",
            refresh=self.console.settings.wall.refresh_seconds,
            local=self._local,
            message=message,
            **context,
        )

    async def wall_act(self, request: Request) -> Response:
        verb = request.path_params["verb"]
        form = await request.form()
        target = str(form.get("target") or "")
        try:
            await run_in_threadpool(self._wall(request).act, verb, target)
        except LivepostError as exc:
            return self.error_page(request, exc, status=422)
        return _redirect(request, "/wall/manage")

    async def hide_reply(self, request: Request) -> Response:
        form = await request.form()
        target = str(form.get("target") or "")
        replies = Replies(**self._scope(request))
        try:
            await run_in_threadpool(replies.hide, target)
        except LivepostError as exc:
            return self.error_page(request, exc, status=422)
        return _redirect(request, "/wall/manage")

    async def checks(self, request: Request) -> Response:
        return self.page(request, "checks.html", active="checks")

    async def check_results(self, request: Request) -> Response:
        settings = self.c(request).settings
        checks = await run_in_threadpool(
            lambda: run_checks(
                settings.event_dir, database_url=settings.database_url, online=self.online_checks
            )
        )
        checks.append(await run_in_threadpool(_daemon_check, self.c(request)))
        return HTMLResponse(render_page("_checks.html", checks=checks))


def _daemon_check(console: Console) -> Check:
    """Whether ``livepost run`` is sending for this event (asked only when Checks is opened:
    the probe takes the daemon's lock for a moment)."""

    try:
        state = daemon_state(console.engine, console.settings.event_key)
    except (ImportError, LivepostError) as exc:
        return Check("daemon", "warn", f"cannot tell whether livepost run is running ({exc})")
    if state.startswith("running"):
        return Check("daemon", "ok", f"livepost run is {state}")
    return Check(
        "daemon",
        "warn",
        "livepost run is not running: queued posts wait until it is",
        "Start it in the event folder with: livepost run",
    )


def _day_param(request: Request) -> date | None:
    value = request.query_params.get("day")
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None
