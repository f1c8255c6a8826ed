"""The Starlette application of `lvscc serve`: pages, the server-sent event stream, login and
edits. Every page is a Jinja template rendered with autoescaping; no script but
static/app.js, which swaps in panels the server rendered (docs/serve.md)."""

from __future__ import annotations

import asyncio
import json
import secrets
from collections import defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass
from importlib import resources
from urllib.parse import parse_qs

import jinja2
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lvscc.model.config import IPNetwork
from lvscc.render import Artifact
from lvscc.serve import access, edits, svg, view
from lvscc.serve.monitor import Monitor
from lvscc.serve.passwords import PasswordHash
from lvscc.watch.state import timestamp

MAX_FORM = 16384  # bytes: the largest form lvscc serve's pages post is far smaller
KEEPALIVE = 15.0  # seconds between SSE comments, so proxies keep an idle stream open
PANELS = {"status": "status.html", "cluster-panel": "cluster_panel.html", "table-panel": "table_panel.html",
          "monitor-panel": "monitor_panel.html"}
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                               "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
STATIC = {"app.js": "text/javascript", "style.css": "text/css"}


@dataclass(frozen=True)
class Settings:
    allow: tuple[IPNetwork, ...]
    password: PasswordHash
    login_delay: float = 1.0  # seconds a failed login waits: guessing costs time


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("lvscc.serve", "templates"),
        autoescape=True,  # every template, .svg included: names in dumps are hostile text
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["stamp"] = timestamp
    env.globals["topology"] = lambda v: Markup(env.get_template("topology.svg").render(view=v, plan=svg.layout(v)))
    return env


def _static(name: str) -> bytes:
    return resources.files("lvscc.serve").joinpath("static", name).read_bytes()


class App:
    def __init__(self, monitor: Monitor, settings: Settings) -> None:
        self.monitor = monitor
        self.settings = settings
        self.env = _environment()
        self.sessions = access.Sessions()
        self.streams: set[asyncio.Queue[str]] = set()
        self.loop: asyncio.AbstractEventLoop | None = None
        self._cached: tuple[int, dict[str, object]] | None = None
        self.payload = self._payload(*monitor.current())
        monitor.listen(self._published)

    # --- rendering ------------------------------------------------------------------------

    def _context(self, version: int, snapshot: view.Snapshot) -> dict[str, object]:
        """What every page shows of one refresh, computed once per refresh."""
        cached = self._cached
        if cached is not None and cached[0] == version:
            return cached[1]
        cluster = view.cluster(snapshot)
        context = {"snapshot": snapshot, "view": cluster, "version": version, "kernel": view.kernel(snapshot, cluster),
                   "stats_note": view.stats_note(snapshot)}
        self._cached = (version, context)
        return context

    def _payload(self, version: int, snapshot: view.Snapshot) -> str:
        context = self._context(version, snapshot)
        panels = {panel: self.env.get_template(name).render(context) for panel, name in PANELS.items()}
        return json.dumps({"version": version, "audited": timestamp(snapshot.time), "panels": panels})

    def _published(self, version: int, snapshot: view.Snapshot) -> None:
        """From the watch thread: render the panels once, hand them to every open stream."""
        self.payload = payload = self._payload(version, snapshot)
        if self.loop is not None:
            for queue in list(self.streams):
                self.loop.call_soon_threadsafe(queue.put_nowait, payload)

    def page(self, request: Request, template: str, status: int = 200, **extra: object) -> HTMLResponse:
        session = request.state.session
        context = {"logged_in": bool(session and session.user), "csrf": session.csrf if session else "",
                   "title": extra.get("page", ""), "live": False, "page": "", "error": None,
                   **self._context(*self.monitor.current()), **extra}
        return HTMLResponse(self.env.get_template(template).render(context), status)

    # --- access ---------------------------------------------------------------------------

    def admit(self, request: Request) -> Response | None:
        """The refusal for a request that may not go on, else None (its session set)."""
        client = request.client.host if request.client else None
        if not access.allowed(client, self.settings.allow):
            return PlainTextResponse(f"403 Forbidden: {client} is not in the networks lvscc serve allows (--allow).\n", 403)
        request.state.session = self.sessions.get(request.cookies.get(access.COOKIE))
        if request.url.path == "/login" or request.url.path.startswith("/static/"):
            return None
        if request.state.session and request.state.session.user:
            return None
        if request.url.path == "/events":
            return PlainTextResponse("401 Unauthorized: log in first\n", 401)
        return RedirectResponse("/login", 303)

    async def form(self, request: Request) -> dict[str, str] | None:
        """The posted form, or None when its CSRF token is not this session's (or it is too big
        to be one of ours)."""
        if int(request.headers.get("content-length") or 0) > MAX_FORM:
            return None
        body = parse_qs((await request.body())[:MAX_FORM].decode("utf-8", "replace"), keep_blank_values=True)
        fields = {k: v[0] for k, v in body.items()}
        return fields if access.csrf_ok(request.state.session, fields.get("csrf")) else None

    async def login_page(self, request: Request) -> Response:
        if request.state.session and request.state.session.user:
            return RedirectResponse("/", 303)
        if request.state.session is None:
            sid, request.state.session = self.sessions.new()
            response = self.page(request, "login.html")
            _cookie(response, sid)
            return response
        return self.page(request, "login.html")

    async def login(self, request: Request) -> Response:
        fields = await self.form(request)
        if fields is None:
            return self.page(request, "login.html", 403, error="The form expired; try again.")
        if not await asyncio.to_thread(self.settings.password.matches, fields.get("password", "")):
            await asyncio.sleep(self.settings.login_delay)
            return self.page(request, "login.html", 401, error="Wrong password.")
        self.sessions.drop(request.cookies.get(access.COOKIE))  # a new id after login: no fixation
        sid, _ = self.sessions.new(user=True)
        response = RedirectResponse("/", 303)
        _cookie(response, sid)
        return response

    async def logout(self, request: Request) -> Response:
        if await self.form(request) is None:
            return PlainTextResponse("403 Forbidden: bad CSRF token\n", 403)
        self.sessions.drop(request.cookies.get(access.COOKIE))
        response = RedirectResponse("/login", 303)
        response.delete_cookie(access.COOKIE)
        return response

    # --- pages ----------------------------------------------------------------------------

    async def cluster(self, request: Request) -> Response:
        return self.page(request, "cluster.html", page="cluster", live=True, show_status=True)

    async def table(self, request: Request) -> Response:
        return self.page(request, "table.html", page="table", live=True, show_status=True)

    async def monitor_page(self, request: Request) -> Response:
        return self.page(request, "monitor.html", page="monitor", live=True, show_status=True)

    async def config(self, request: Request) -> Response:
        from lvscc.catalogue import catalogue

        snapshot = self.monitor.current()[1]
        compiled = snapshot.compiled
        placed: dict[tuple[str, int], list] = defaultdict(list)
        unplaced = []
        for d in compiled.diagnostics:
            if d.span.file in compiled.sources and d.span.line:
                placed[(d.span.file, d.span.line)].append(d)
            else:
                unplaced.append(d)
        sources = [(f, [(n, line, placed.get((f, n), [])) for n, line in enumerate(text.splitlines(), 1)])
                   for f, text in compiled.sources.items()]
        hosts: dict[str, list[Artifact]] = defaultdict(list)
        for a in sorted(compiled.artifacts, key=lambda a: a.path):
            hosts[a.host].append(a)
        message = request.query_params.get("saved") and "Saved. The watch recompiled it: diagnostics and artifacts below are the new file's."
        return self.page(request, "config.html", page="config", sources=sources, unplaced=unplaced,
                         explain={code: f"{e.title}: {' '.join(e.explanation.split())}" for code, e in catalogue().items()}, artifacts=list(hosts.items()), message=message, show_status=True)

    async def edit_page(self, request: Request) -> Response:
        edit = edits.Edit(request.query_params.get("service", ""), request.query_params.get("server", ""), "weight")
        config = self.monitor.current()[1].config
        service = next((s for s in (config.services if config else ()) if s.name == edit.service), None)
        current = next((rs for rs in (service.servers if service else ()) if rs.name == edit.server), None)
        if current is None:
            return PlainTextResponse("404 Not Found: no such server in the config\n", 404)
        return self.page(request, "edit.html", page="edit", edit=edit, current=current, proposal=None)

    async def edit(self, request: Request) -> Response:
        fields = await self.form(request)
        if fields is None:
            return PlainTextResponse("403 Forbidden: bad CSRF token\n", 403)
        try:
            weight = int(fields["weight"]) if fields.get("action") == "weight" else None
            edit = edits.Edit(fields.get("service", ""), fields.get("server", ""), fields.get("action", ""), weight)
            proposal = await asyncio.to_thread(edits.propose, self.monitor.target.config, edit)
        except (ValueError, KeyError):
            return PlainTextResponse("400 Bad Request: a weight is a whole number\n", 400)
        except edits.EditError as e:
            return self.page(request, "edit.html", 400, page="edit", edit=fields, error=str(e), proposal=None, current=None)
        pending = secrets.token_urlsafe(16)
        request.state.session.pending = {pending: proposal}  # one edit in flight per session
        return self.page(request, "edit.html", page="edit", edit=edit, proposal=proposal, pending=pending, current=None)

    async def confirm(self, request: Request) -> Response:
        fields = await self.form(request)
        if fields is None:
            return PlainTextResponse("403 Forbidden: bad CSRF token\n", 403)
        proposal = request.state.session.pending.pop(fields.get("pending", ""), None)
        if not isinstance(proposal, edits.Proposal):
            return PlainTextResponse("409 Conflict: this edit was already saved or dropped\n", 409)
        try:
            await asyncio.to_thread(edits.save, proposal)
        except (edits.EditError, OSError) as e:
            return PlainTextResponse(f"409 Conflict: {e}\n", 409)
        await asyncio.to_thread(self.monitor.refresh)  # do not wait for inotify to show the result
        return RedirectResponse("/config?saved=1", 303)

    # --- server-sent events ---------------------------------------------------------------

    async def events(self, request: Request) -> Response:
        self.loop = asyncio.get_running_loop()
        queue: asyncio.Queue[str] = asyncio.Queue()
        self.streams.add(queue)

        since = request.query_params.get("since", "")
        missed = not since.isdigit() or int(since) < self.monitor.current()[0]

        async def stream() -> AsyncIterator[str]:
            try:
                yield "retry: 2000\n\n"
                if missed:  # a refresh came between the page and this stream: send it now
                    yield f"event: refresh\ndata: {self.payload}\n\n"
                while True:
                    try:
                        payload = await asyncio.wait_for(queue.get(), KEEPALIVE)
                    except TimeoutError:
                        yield ": keepalive\n\n"
                        continue
                    yield f"event: refresh\ndata: {payload}\n\n"
            finally:
                self.streams.discard(queue)

        return StreamingResponse(stream(), media_type="text/event-stream", headers={"X-Accel-Buffering": "no"})

    async def static(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name not in STATIC:
            return PlainTextResponse("404 Not Found\n", 404)
        return Response(_static(name), media_type=STATIC[name])


class Guard:
    """ASGI middleware: the allow list and the login check before any route, and the security
    headers on every response (streams included, which BaseHTTPMiddleware would buffer)."""

    def __init__(self, inner: ASGIApp, app: App) -> None:
        self.inner = inner
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.inner(scope, receive, send)
            return

        async def secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k.lower().encode(), v.encode()) for k, v in HEADERS.items() if k.lower().encode() not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        refusal = self.app.admit(Request(scope, receive))
        if refusal is not None:
            await refusal(scope, receive, secured)
            return
        await self.inner(scope, receive, secured)


def _cookie(response: Response, sid: str) -> None:
    response.set_cookie(access.COOKIE, sid, httponly=True, samesite="strict", path="/")


def build(monitor: Monitor, settings: Settings) -> Starlette:
    app = App(monitor, settings)
    routes = [
        Route("/", app.cluster),
        Route("/table", app.table),
        Route("/monitor", app.monitor_page),
        Route("/config", app.config),
        Route("/edit", app.edit_page),
        Route("/edit", app.edit, methods=["POST"]),
        Route("/edit/confirm", app.confirm, methods=["POST"]),
        Route("/events", app.events),
        Route("/login", app.login_page),
        Route("/login", app.login, methods=["POST"]),
        Route("/logout", app.logout, methods=["POST"]),
        Route("/static/{name}", app.static),
    ]
    starlette = Starlette(routes=routes, middleware=[Middleware(Guard, app=app)])
    starlette.state.app = app
    return starlette
