"""The ops web app: ``create_app`` builds it; ``gridhub web`` (or ``gridhub run``) serves it."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response

from hub.access.sessions import LoginSessions
from hub.config import Settings
from hub.connector import Connector, NoInbound
from hub.store import Store
from hub.web.auth import Forbidden, LoginRequired, login_url
from hub.web.context import WebContext
from hub.web.security import is_loopback, secure_cookies, security_headers, trust_proxies
from hub.web.session import COOKIE, Sessions
from hub.web.templating import environment, page

if TYPE_CHECKING:
    from hub.access import Access
    from hub.metrics import Metrics

# Paths answered to scripts (JSON or text); everything else is a page for people.
MACHINE_PREFIXES = ("/api/", "/metrics", "/readyz", "/healthz")


def create_app(settings: Settings, *, access: Access, metrics: Metrics | None,
               store: Store | None = None, secret: str | None = None,
               connectors: Mapping[str, Connector | str] | None = None,
               listen_host: str = "127.0.0.1") -> FastAPI:
    """The web app on ``store`` (opened from ``settings.store_url`` when None).

    ``metrics``: the hub's own when it serves the app in-process (with its state collector);
    None builds one with the state gauges only. ``secret`` signs session cookies (default
    the ``web_secret`` setting; required beyond loopback, see :func:`session_secret`).
    ``connectors``: instances whose targets the dashboard checks (default: built
    from the routes file); a running hub passes its own. ``listen_host``: where it will be
    served (cookies are Secure by default beyond loopback)."""
    from hub.web.routes import actions, api, explain, login, openapi, pages

    owned = store is None
    if store is None:
        from hub.ops.db import open_store

        store = open_store(settings.store_url)
    configured, built = _connectors(settings)
    ctx = WebContext(
        settings=settings, store=store, access=access, metrics=metrics,
        sessions=Sessions(secret or session_secret(settings, listen_host),
                          LoginSessions(store, clock=access.clock)),
        connectors=connectors if connectors is not None else built, configured=configured,
        secure_cookies=secure_cookies(settings.web_secure_cookies, listen_host))
    if metrics is None:
        metrics = _state_metrics(ctx)
        ctx.metrics = metrics
    metrics.add_roles_collector(
        lambda: {role.value: n for role, n in access.expiring_counts().items()})
    ctx.templates = environment()
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        ctx.jobs.stop_all()
        if owned:
            ctx.store.close()

    app = FastAPI(title="gridhub", docs_url=None, redoc_url=None, openapi_url=None,
                  lifespan=lifespan)
    app.state.web = ctx
    # openapi before api: its paths would otherwise be taken by /api/{operation}
    for module in (login, pages, actions, openapi, api, explain):
        app.include_router(module.router)
    app.middleware("http")(_session_cookie)
    app.middleware("http")(security_headers)
    trust_proxies(app, settings.web_trusted_proxies)
    app.add_exception_handler(LoginRequired, _login_required)
    app.add_exception_handler(Forbidden, _forbidden)

    return app


def session_secret(settings: Settings, listen_host: str) -> str:
    """The ``web_secret`` setting. Unset, a random one will do on loopback (a developer's
    sessions end at a restart); beyond loopback, where people use the web day to day, it is
    refused, so a restart or a second replica does not log everyone out."""
    if settings.web_secret is not None:
        return settings.web_secret.get_secret_value()
    if not is_loopback(listen_host):
        from hub.errors import ConfigurationError

        raise ConfigurationError(
            f"the ops web listens on {listen_host}, beyond loopback: set web_secret "
            "(GRIDHUB_WEB_SECRET, e.g. $(openssl rand -hex 32)) so sessions survive a restart "
            "and are shared by every replica", where="web_secret")
    return secrets.token_urlsafe(32)


def _connectors(settings: Settings) -> tuple[set[str] | None, dict[str, Connector | str]]:
    """The configured connector names, and an instance of each to ask ``reachable()``
    (or why there is none: a plugin missing, settings refused). None: routes unreadable."""
    from hub.errors import ConfigurationError
    from hub.plugins import load
    from hub.routes import load_routes

    try:
        table = load_routes(settings.routes)
    except (ConfigurationError, OSError):
        return None, {}
    built: dict[str, Connector | str] = {}
    for name, spec in table.connectors.items():
        try:
            built[name] = load(spec.plugin)(spec.settings, NoInbound("the web app"))
        except Exception as exc:  # shown on the dashboard as the connector's problem
            built[name] = f"{type(exc).__name__}: {exc}"[:200]
    return set(table.connectors), built


def _state_metrics(ctx: WebContext) -> Metrics:
    """Without the hub's own counters (a separate ``gridhub web``), /metrics still serves
    the state gauges: queue depth, oldest age, dead letters per group, targets reachable."""
    from hub.metrics import Metrics
    from hub.ops.gauges import status_snapshot
    from hub.ops.management import management_for

    s = ctx.settings
    found = Metrics()
    found.add_state_collector(status_snapshot(
        ctx.store, broker_url=s.broker_url, namespace=s.namespace, connectors=ctx.connectors,
        management=management_for(s.broker_url)))
    from hub.ops.completeness import completeness_collector

    found.registry.register(completeness_collector(ctx.store))
    return found


async def _session_cookie(request: Request,
                          call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """Load the session before the handler; sign it again after (the idle clock restarts)."""
    ctx: WebContext = request.app.state.web
    session, why = ctx.sessions.load(request.cookies.get(COOKIE))
    if why is not None:
        session.notice = why
    request.state.session = session
    response = await call_next(request)
    if request.url.path.startswith(MACHINE_PREFIXES) and COOKIE not in request.cookies:
        return response  # scripts get no cookie
    response.set_cookie(COOKIE, ctx.sessions.dump(request.state.session),
                        max_age=int(ctx.sessions.idle_limit.total_seconds()), httponly=True,
                        samesite="lax", secure=ctx.secure_cookies or request.url.scheme == "https",
                        path="/")
    return response


def _machine(request: Request) -> bool:
    return request.url.path.startswith(MACHINE_PREFIXES)


async def _login_required(request: Request, exc: Exception) -> Response:
    why = str(exc)
    if _machine(request):
        return JSONResponse({"error": why}, status_code=401,
                            headers={"WWW-Authenticate": 'Bearer realm="gridhub"'})
    if request.method != "GET":
        return RedirectResponse("/login", status_code=303)
    return RedirectResponse(login_url(request), status_code=303)


async def _forbidden(request: Request, exc: Exception) -> Response:
    if _machine(request):
        return JSONResponse({"error": str(exc)}, status_code=403)
    if request.url.path == "/login":
        return PlainTextResponse(str(exc), status_code=403)
    return page(request, "error.html.j2", status_code=403, title="Not allowed",
                message=str(exc))
