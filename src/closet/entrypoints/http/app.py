"""The Litestar application factory."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar, Router
from litestar.config.cors import CORSConfig
from litestar.datastructures import State
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin

import closet
from closet.container import Container, build_container
from closet.entrypoints.http.auth import TokenIssuer, build_jwt_auth
from closet.entrypoints.http.controllers.accounts import (
    AuthController,
    LoginController,
    PasswordResetController,
)
from closet.entrypoints.http.controllers.admin import AdminController
from closet.entrypoints.http.controllers.collections import CollectionController
from closet.entrypoints.http.controllers.health import health, ready
from closet.entrypoints.http.controllers.items import ItemController
from closet.entrypoints.http.controllers.me import MeController
from closet.entrypoints.http.controllers.outfits import OutfitController, TemplateController
from closet.entrypoints.http.controllers.photos import PhotoController
from closet.entrypoints.http.controllers.search import SearchController
from closet.entrypoints.http.controllers.shares import SharedController
from closet.entrypoints.http.controllers.transfer import TransferController
from closet.entrypoints.http.controllers.wear import WearController
from closet.entrypoints.http.deps import dependencies
from closet.entrypoints.http.errors import EXCEPTION_HANDLERS
from closet.entrypoints.http.middleware import RequestLogMiddleware
from closet.entrypoints.http.security import RateLimits, SecurityHeadersMiddleware
from closet.settings import Settings, load_settings


def create_app(settings: Settings | None = None, container: Container | None = None) -> Litestar:
    settings = settings or load_settings()
    container = container or build_container(settings)
    jwt_auth = build_jwt_auth(settings)
    limits = RateLimits(settings)

    @asynccontextmanager
    async def resources(_: Litestar) -> AsyncIterator[None]:
        started = container.init_resources()
        if started is not None:
            await started
        stop = asyncio.Event()
        relay = None
        if settings.relay:  # applies document changes the requests could not (store down)
            sync = container.document_sync()
            relay = asyncio.create_task(sync.run_forever(settings.relay_interval_seconds, stop))
        runner = container.job_runner() if settings.jobs else None
        jobs = asyncio.create_task(runner.run_forever()) if runner is not None else None
        try:
            yield
        finally:
            stop.set()
            if relay is not None:
                await relay
            if jobs is not None and runner is not None:
                jobs.cancel()
                await runner.stop()
                await asyncio.gather(jobs, return_exceptions=True)
            await container.document_sync().flush()  # write-behind publishes still in flight
            stopped = container.shutdown_resources()
            if stopped is not None:
                await stopped

    openapi = OpenAPIConfig(
        title="closet",
        version=closet.__version__,
        description="A wardrobe service: your clothes, outfits and collections.",
        path="/schema",
        render_plugins=[SwaggerRenderPlugin(), ScalarRenderPlugin()],
    )
    app = Litestar(
        route_handlers=[
            health,
            ready,
            Router("/", route_handlers=[LoginController], middleware=[limits.login]),
            Router("/", route_handlers=[PasswordResetController], middleware=[limits.reset]),
            AuthController,
            MeController,
            AdminController,
            ItemController,
            WearController,
            OutfitController,
            TemplateController,
            CollectionController,
            SearchController,
            Router("/", route_handlers=[TransferController], request_max_body_size=settings.import_max_bytes),
            Router("/", route_handlers=[SharedController], middleware=[limits.shares]),
            # uploads may be larger than JSON bodies: the image limit plus room for the form
            Router(
                "/", route_handlers=[PhotoController], request_max_body_size=settings.image_max_bytes + 65_536
            ),
        ],
        middleware=[limits.general],
        cors_config=CORSConfig(
            allow_origins=settings.allowed_origins,
            allow_credentials=False,
            expose_headers=[
                "ETag",
                "Location",
                "Retry-After",
                "X-Request-ID",
                "X-Duplicate-Of",
                "RateLimit-Limit",
                "RateLimit-Remaining",
                "RateLimit-Reset",
                "RateLimit-Policy",
            ],
        )
        if settings.allowed_origins
        else None,
        state=State({"container": container, "tokens": TokenIssuer(jwt_auth), "settings": settings}),
        dependencies=dependencies(),
        exception_handlers=EXCEPTION_HANDLERS,
        on_app_init=[jwt_auth.on_app_init],
        openapi_config=openapi if settings.docs else None,
        request_max_body_size=settings.max_body_bytes,
        lifespan=[resources],
        logging_config=None,
        debug=False,
    )
    # Outermost, so that every response (401s from auth, 404s for unknown routes, 405s)
    # carries a request id and gets its log line; Litestar's own middleware list runs per route.
    app.asgi_handler = RequestLogMiddleware(SecurityHeadersMiddleware(app.asgi_handler))
    return app
