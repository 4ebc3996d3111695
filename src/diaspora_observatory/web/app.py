"""The ASGI app: ``create_app`` loads a case, computes its analysis once and serves every page."""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import AsyncIterator
from functools import partial
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from diaspora_observatory.case.package import load_case, user_data_dir
from diaspora_observatory.web.extensions import WebContext, available_extensions
from diaspora_observatory.web.pages import N_, PAGE_KEYS, menu
from diaspora_observatory.web.request_guard import RequestGuard  # also bounds every {name:int} path parameter
from diaspora_observatory.web.security import SECURITY_HEADERS, AllowedHostsMiddleware, SecurityHeadersMiddleware
from diaspora_observatory.web.slowclients import CLIENT_TIMEOUT_SECONDS, BodyDeadlineMiddleware
from diaspora_observatory.web.views import Site, switch_language, vega_script

STATIC_DIR = Path(__file__).resolve().parent / "static"
logger = logging.getLogger("diaspora_observatory.web")
GET = ["GET"]  # Starlette answers HEAD for GET routes and 405 for every other method.


def create_app(case_name_or_path: str | Path | None = None, *, data_dir: Path | None = None,
               dev: bool = False, allowed_hosts: list[str] | tuple[str, ...] | None = None,
               trusted_proxies: list[str] | tuple[str, ...] = (),
               client_timeout: float = CLIENT_TIMEOUT_SECONDS, extensions: bool = True,
               processes: int | None = 1, computed_by: Starlette | None = None) -> Starlette:
    """The observatory app for a case (the built-in one by default).

    ``data_dir`` is the user data folder (default: ``user_data_dir()``); ``dev`` adds a route listing
    and template reloading and turns off the page cache. ``allowed_hosts``: the Host names answered
    (others get 400; ``None``, for an app embedded in tests or another program, checks none; ``diaspora
    serve`` always passes a list, see ``web.security.allowed_hosts_for``). ``trusted_proxies``: addresses
    of reverse proxies whose X-Forwarded-For names the client (for the rate limits); from any other peer
    the header is ignored. ``client_timeout``: seconds a request's body has to arrive (408 after).
    ``extensions=False`` leaves out the survey and documents pages (the static site, which has no server
    for them). ``processes``: how many server processes serve the same data (``diaspora serve --workers``;
    None when not known, as under uvicorn started directly, see web/workers.py). ``computed_by``: an app
    built before on an equal case with the same extensions, whose computed analysis and pages this one
    reuses (the tests build many apps on the built-in case); ValueError when the case or extensions differ.
    """
    case = load_case(case_name_or_path, data_dir=data_dir)
    web = WebContext(case, Path(data_dir) if data_dir else user_data_dir(), dev=dev, processes=processes)
    web.environment.auto_reload = dev
    web.nav.extend(menu(case))  # the pages the case has data for
    site = Site(web, computed_by.state.site if computed_by is not None else None)
    routes: list[BaseRoute] = [Route("/", partial(site.endpoint, key="overview"), methods=GET, name="overview"),
                               Route("/overview.{format}", partial(site.endpoint, key="overview"), methods=GET)]
    for key in PAGE_KEYS[1:]:
        routes.append(Route(f"/{key}", partial(site.endpoint, key=key), methods=GET, name=key))
        routes.append(Route(f"/{key}.{{format}}", partial(site.endpoint, key=key), methods=GET))
    routes += [
        Route("/country/{code}.{format}", site.endpoint, methods=GET),
        Route("/country/{code}", site.endpoint, methods=GET, name="country"),
        Route("/lang/{code}", switch_language, methods=GET, name="language"),
        Route("/static/vega-bundle.js", vega_script, methods=GET),
    ]
    # Starlette tries the routes in order: an extension's FIRST_ROUTES go before all others (the survey's JSON
    # API was matched against some 40 patterns on every submission). Only routes no other route could also match
    # may be named there; a route that matches a path but not its method still lets later routes answer.
    first: list[BaseRoute] = []
    for name, module in available_extensions() if extensions else []:
        wanted_first = set(getattr(module, "FIRST_ROUTES", ()))
        for route in module.routes(web):
            (first if getattr(route, "name", None) in wanted_first else routes).append(route)
        web.extension_nav[name] = list(getattr(module, "NAV", []))
        web.nav.extend(web.extension_nav[name])
    if computed_by is not None and computed_by.state.web.extension_nav != web.extension_nav:
        raise ValueError(f"this app serves the extensions {sorted(web.extension_nav)}, the app it would reuse "
                         f"the pages of serves {sorted(computed_by.state.web.extension_nav)}; build it without "
                         "computed_by")
    routes.append(Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"))
    routes[:0] = first
    if dev:
        routes.insert(0, Route("/_dev/routes", partial(_route_list, routes), methods=GET))
    handlers = {HTTPException: partial(_http_error, web), Exception: partial(_server_error, web)}
    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        for start in web.on_startup:
            start()
        yield
        for close in reversed(web.on_shutdown):
            close()

    middleware = [Middleware(SecurityHeadersMiddleware)]
    if allowed_hosts is not None:
        middleware.append(Middleware(AllowedHostsMiddleware, hosts=allowed_hosts))
    if trusted_proxies:
        from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

        middleware.append(Middleware(ProxyHeadersMiddleware, trusted_hosts=list(trusted_proxies)))
    middleware.append(Middleware(BodyDeadlineMiddleware, seconds=client_timeout))
    app = Starlette(routes=routes, middleware=middleware,
                    exception_handlers=handlers, lifespan=lifespan)
    app.state.web = web
    app.state.site = site
    app.add_middleware(RequestGuard, web=web)  # outermost: a bad address is refused before anything else
    return app


ERROR_TEXTS = {
    400: (N_("Request refused"), N_("The server could not accept this request as it was sent.")),
    403: (N_("Not allowed"), N_("This action needs a permission that the request did not carry.")),
    413: (N_("Request too large"), N_("The request is larger than this address accepts.")),
    429: (N_("Too many attempts"), N_("Too many attempts came from this address. Wait a minute and try again.")),
    503: (N_("Not ready yet"), N_("The server is busy with this request. Reload the page in a few seconds.")),
    404: (N_("Page not found"), N_("There is no page at this address. Use the menu to find what you are looking for.")),
    405: (N_("Method not allowed"), N_("This address only answers to reading (GET) requests.")),
    500: (N_("Something went wrong"), N_("The server could not answer this request. The error has been logged; "
                                         "please try again or report it.")),
}


def _wants_data(request: Request) -> bool:
    path = request.url.path
    return path.endswith((".json", ".csv")) or request.query_params.get("format") in ("json", "csv")


def _error_response(web: WebContext, request: Request, status: int, detail: str = "",
                    headers: dict[str, str] | None = None) -> Response:
    title, message = ERROR_TEXTS.get(status, ERROR_TEXTS[500] if status >= 500 else ERROR_TEXTS[404])
    headers = {**SECURITY_HEADERS, **(headers or {})}
    if _wants_data(request):
        return JSONResponse({"error": title, "status": status, "detail": detail or message},
                            status_code=status, headers=headers)
    try:
        response = web.render(request, "error.html", {"status": status, "title": title, "message": message,
                                                      "detail": detail}, status_code=status)
    except Exception:  # noqa: BLE001 - the error page itself failed: answer in plain text, never a trace
        logger.exception("error page failed")
        return PlainTextResponse(f"{status} {title}", status_code=status, headers=headers)
    response.headers.update(headers)
    return response


async def _http_error(web: WebContext, request: Request, exc: HTTPException) -> Response:
    standard = {404: "Not Found", 405: "Method Not Allowed"}
    detail = "" if exc.detail in (standard.get(exc.status_code), None) else str(exc.detail)
    return _error_response(web, request, exc.status_code, detail, dict(exc.headers or {}))


async def _server_error(web: WebContext, request: Request, exc: Exception) -> Response:
    logger.error("error answering %s %s", request.method, request.url.path, exc_info=exc)
    return _error_response(web, request, 500)


async def _route_list(routes: list[BaseRoute], request: Request) -> Response:
    listed = [{"path": getattr(route, "path", ""), "methods": sorted(getattr(route, "methods", None) or [])}
              for route in routes]
    return Response(json.dumps(listed, indent=1), media_type="application/json")
