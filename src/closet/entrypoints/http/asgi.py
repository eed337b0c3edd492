"""What the ASGI server loads in each worker: `closet.entrypoints.http.asgi:app_factory`."""

from __future__ import annotations

import logging

from litestar import Litestar

from closet.entrypoints.http.app import create_app
from closet.entrypoints.process import tune_allocator, tune_collector
from closet.settings import load_settings


def app_factory() -> Litestar:
    tune_allocator()  # before the image and database threads start
    settings = load_settings()
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    app = create_app(settings)
    app.on_startup.append(tune_collector)  # once the container's resources are up
    return app
