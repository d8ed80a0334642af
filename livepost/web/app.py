"""The console's HTTP routes: thin handlers that read the form, call the view code, render.

Pages are server-rendered and work without JavaScript; htmx (vendored in ``static/``) adds live
updates: the timeline, queue and engagement panels poll every few seconds and are only swapped
when what they show has changed (so keyboard focus is not lost to a refresh), and the compose
preview follows the text as it is typed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from livepost.app.database import open_database
from livepost.app.team import authenticate
from livepost.app.wall import WallVerb
from livepost.errors import Conflict, InputError, LivepostError, NotAllowed
from livepost.model.actors import Role
from livepost.web.api import Api
from livepost.web.composer import ComposeError, ComposeForm
from livepost.web.console import Console, utc_clock
from livepost.web.errors import HANDLERS
from livepost.web.render import NAV, render_page
from livepost.web.security import CSRF_FIELD, AccessMiddleware, Guard, csrf_protected

if TYPE_CHECKING:
    from datetime import datetime

    from livepost.app.database import Engine
    from livepost.app.event import EventApp
    from livepost.config import Settings

STATIC = Path(__file__).resolve().parent / "static"
POLL_SECONDS = 3

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
        Route("/wall/manage", pages.wall_manage),
        post("/wall/{verb:str}", pages.wall_act),
        post("/replies/hide", pages.hide_reply),
        Route("/checks", pages.checks),
        Route("/checks/results", pages.check_results),
        Route("/r", pages.phone),
        *api.routes(),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers=HANDLERS)
    app.add_middleware(AccessMiddleware, guard=guard)
    app.state.console = console
    app.state.guard = guard
    return app


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
    """One method per route: parse, ask the request's :class:`EventApp`, render. Its errors
    (403 for a refusal, 404, 409, 422) are translated once, by :mod:`livepost.web.errors`."""

    def __init__(self, console: Console, online_checks: bool) -> None:
        self.console = console
        self.online_checks = online_checks

    # --- helpers ---------------------------------------------------------------------------------

    def door(self, request: Request) -> EventApp:
        """The event as the person asking sees it (their role decides what they may do)."""
        return self.console.app(request.state.actor)

    def page(self, request: Request, name: str, status: int = 200, **context: Any) -> Response:
        context.setdefault("active", "")
        html = render_page(
            name,
            csrf=request.state.csrf,
            csrf_field=CSRF_FIELD,
            event_name=self.console.settings.event.name,
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

    # --- today -----------------------------------------------------------------------------------

    async def today(self, request: Request) -> Response:
        door = self.door(request)
        if door.actor.role == Role.REPORTER and "day" not in request.query_params:
            return RedirectResponse("/r", status_code=303)  # a reporter's link opens their page
        view = await run_in_threadpool(door.today.view, _day_param(request))
        url = f"/today/timeline?day={view.day.isoformat()}"
        timeline = self.polled(request, "_timeline.html", url, view=view, id="timeline")
        return self.page(request, "today.html", active="today", view=view, timeline=timeline)

    async def timeline(self, request: Request) -> Response:
        view = await run_in_threadpool(self.door(request).today.view, _day_param(request))
        url = f"/today/timeline?day={view.day.isoformat()}"
        return self.panel(request, "_timeline.html", url, view=view, id="timeline")

    async def phone(self, request: Request) -> Response:
        """The reporter's phone page: the talk in my room now, a text box, a photo, send."""
        actor = self.door(request).actor
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

        door = self.door(request)
        talks = await run_in_threadpool(door.queue.talks)
        result = await run_in_threadpool(preview, door, form)
        return self.page(
            request,
            "compose.html",
            status=422 if error else 200,
            active="compose",
            form=form,
            talks=[t for t in talks if not t.withdrawn and t.kind == "talk"],
            preview=result,
            error=error,
            now=door.now(),
            zone=door.zone.key,
        )

    async def compose_preview(self, request: Request) -> Response:
        from livepost.web.composer import preview

        form = ComposeForm.from_fields((await request.form()).get)
        result = await run_in_threadpool(preview, self.door(request), form)
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
            ids = await run_in_threadpool(queue_form, self.door(request), form, image, filename)
        except ComposeError as exc:
            return await self.compose_page(request, form, exc)
        return _redirect(request, f"/queue?queued={ids[0]}")

    async def card(self, request: Request) -> Response:
        from livepost.web.composer import card_image

        params = request.query_params
        try:
            card = await run_in_threadpool(
                card_image,
                self.door(request),
                params.get("kind", "talk"),
                params.get("talk", ""),
                params.get("text", ""),
            )
        except NotAllowed:
            raise
        except LivepostError as exc:
            return Response(exc.message, status_code=404, media_type="text/plain")
        return Response(
            card.data,
            media_type=card.mime,
            headers={"X-Alt-Text": quote(card.alt)},
        )

    # --- queue -----------------------------------------------------------------------------------

    async def queue(self, request: Request) -> Response:
        view = await run_in_threadpool(self.door(request).queue_view.view)
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
        view = await run_in_threadpool(self.door(request).queue_view.view)
        return self.panel(request, "_queue.html", "/queue/list", view=view, id="queue")

    async def act(self, request: Request, action: Callable[[], object]) -> Response:
        """Do one queue action, then back to the queue (a refusal is a 403 page)."""
        await run_in_threadpool(action)
        return _redirect(request, "/queue")

    async def pause(self, request: Request) -> Response:
        return await self.act(request, lambda: self.door(request).queue.set_paused(True))

    async def resume(self, request: Request) -> Response:
        return await self.act(request, lambda: self.door(request).queue.set_paused(False))

    async def cancel(self, request: Request) -> Response:
        post_id = int(request.path_params["post_id"])
        return await self.act(request, lambda: self.door(request).queue.cancel(post_id))

    async def retry(self, request: Request) -> Response:
        post_id = int(request.path_params["post_id"])
        return await self.act(request, lambda: self.door(request).queue.retry(post_id))

    async def move_up(self, request: Request) -> Response:
        post_id = int(request.path_params["post_id"])
        return await self.act(request, lambda: self.door(request).queue.move(post_id, "up"))

    async def move_down(self, request: Request) -> Response:
        post_id = int(request.path_params["post_id"])
        return await self.act(request, lambda: self.door(request).queue.move(post_id, "down"))

    async def edit(self, request: Request) -> Response:
        door = self.door(request)
        post_id = int(request.path_params["post_id"])
        post, text = await run_in_threadpool(door.queue_view.for_edit, post_id)
        return self.page(
            request,
            "edit.html",
            active="queue",
            post=post,
            text=text,
            due=post.due,
            alts=[str(i.get("alt", "")) for i in post.images],
            error=None,
            zone=door.zone.key,
        )

    async def edit_submit(self, request: Request) -> Response:
        door = self.door(request)
        post_id = int(request.path_params["post_id"])
        data = await request.form()
        text = str(data.get("text") or "")
        due = str(data.get("due") or "")
        alts = [str(a) for a in data.getlist("alt")]
        try:
            due_at = _due(door, due)
            await run_in_threadpool(
                lambda: _save_edit(door, post_id, text=text, due_at=due_at, alts=alts)
            )
        except ComposeError as exc:
            post, _ = await run_in_threadpool(door.queue_view.for_edit, post_id)
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
                zone=door.zone.key,
            )
        return _redirect(request, "/queue")

    # --- engagement and checks -------------------------------------------------------------------

    async def engagement(self, request: Request) -> Response:
        view = await run_in_threadpool(self.door(request).engagement.view)
        panel = self.polled(request, "_engagement.html", "/engagement/panel", view=view, id="eng")
        return self.page(request, "engagement.html", active="engagement", panel=panel)

    async def engagement_panel(self, request: Request) -> Response:
        view = await run_in_threadpool(self.door(request).engagement.view)
        return self.panel(request, "_engagement.html", "/engagement/panel", view=view, id="eng")

    async def checks(self, request: Request) -> Response:
        return self.page(request, "checks.html", active="checks")

    async def check_results(self, request: Request) -> Response:
        door = self.door(request)
        checks = await run_in_threadpool(lambda: door.checks.run(online=self.online_checks))
        return HTMLResponse(render_page("_checks.html", checks=checks))

    # --- the venue wall --------------------------------------------------------------------------

    def _local(self, moment: datetime) -> str:
        return f"{self.console.local(moment):%H:%M}"

    def _wall_panel_html(self, posts: list[Any]) -> tuple[str, str]:
        settings = self.console.settings
        inner = render_page(
            "_wall.html", posts=posts, hashtags=settings.event.hashtags, local=self._local
        )
        stamp = _stamp(inner)
        html = render_page(
            "_poll.html",
            inner=inner,
            url="/wall/posts",
            stamp=stamp,
            poll=settings.wall.refresh_seconds,
            id="wall",
        )
        return html, stamp

    async def wall(self, request: Request) -> Response:
        posts = await run_in_threadpool(self.door(request).wall.posts)
        panel, _ = self._wall_panel_html(posts)
        html = render_page(
            "wall.html",
            panel=panel,
            event_name=self.console.settings.event.name,
            hashtags=self.console.settings.event.hashtags,
        )
        return HTMLResponse(html)

    async def wall_panel(self, request: Request) -> Response:
        posts = await run_in_threadpool(self.door(request).wall.posts)
        html, stamp = self._wall_panel_html(posts)
        if request.query_params.get("since") == stamp:
            return Response(status_code=204)
        return HTMLResponse(html)

    async def wall_manage(self, request: Request) -> Response:
        wall = self.door(request).wall

        def load() -> dict[str, Any]:
            standing = wall.decisions()  # an officer's page: refused first for anyone else
            return {
                "posts": wall.posts(moderated=False),
                "hidden": {d.target for d in standing if d.action == WallVerb.HIDE},
                "blocked": {d.target for d in standing if d.action == WallVerb.BLOCK},
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
            message="",
            **context,
        )

    async def wall_act(self, request: Request) -> Response:
        verb = str(request.path_params["verb"])
        form = await request.form()
        target = str(form.get("target") or "")
        await run_in_threadpool(self.door(request).wall.act, verb, target)
        return _redirect(request, "/wall/manage")

    async def hide_reply(self, request: Request) -> Response:
        form = await request.form()
        target = str(form.get("target") or "")
        await run_in_threadpool(self.door(request).replies.hide, target)
        return _redirect(request, "/wall/manage")


def _due(door: EventApp, due: str) -> datetime | None:
    """The edit form's time (local to the event), or None when it was left empty."""
    from datetime import datetime

    if not due.strip():
        return None
    try:
        local = datetime.fromisoformat(due)
    except ValueError:
        raise ComposeError("due", f"{due!r} is not a date and time (YYYY-MM-DD HH:MM).") from None
    return local.replace(tzinfo=door.zone) if local.tzinfo is None else local


def _save_edit(
    door: EventApp, post_id: int, *, text: str, due_at: datetime | None, alts: list[str]
) -> None:
    """Save the edit form; what the person can fix is shown next to the field."""
    try:
        door.queue_view.save_edit(post_id, text=text, due_at=due_at, alts=alts)
    except (InputError, Conflict) as exc:
        if isinstance(exc, Conflict) and not exc.message.startswith("That is"):
            raise  # sent or changed meanwhile: a 409 page, not a field to fix
        raise ComposeError.of(exc) from exc


def _day_param(request: Request) -> date | None:
    value = request.query_params.get("day")
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None
