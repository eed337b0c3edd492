"""The `closet` command: serve, migrate."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence

from closet.container import DatabaseNotReady, check_database, migrate_database
from closet.settings import Settings, SettingsError, load_settings


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="closet", description="closet, a wardrobe service")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the HTTP API")
    serve.add_argument("--host", help="address to bind (CLOSET_HOST, default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (CLOSET_PORT, default 8000)")
    serve.add_argument("--workers", type=int, help="worker processes (CLOSET_WORKERS, default 1)")
    commands.add_parser("migrate", help="apply database migrations")
    args = parser.parse_args(argv)

    for name in ("host", "port", "workers"):
        value = getattr(args, name, None)
        if value is not None:  # flags win over the environment, in every worker
            os.environ[f"CLOSET_{name.upper()}"] = str(value)
    try:
        settings = load_settings(need_secret=args.command != "migrate")
        if args.command == "migrate":
            asyncio.run(migrate_database(settings))
            print(f"closet: the {settings.profile} database is up to date")
            return 0
        asyncio.run(check_database(settings))  # once, before any worker starts
    except SettingsError as exc:
        print(f"closet: {exc}", file=sys.stderr)
        return 2
    except DatabaseNotReady as exc:
        print(f"closet: {exc}", file=sys.stderr)
        return 1
    return _serve(settings)


def _serve(settings: Settings) -> int:
    import uvicorn  # noqa: PLC0415 - only `serve` needs the server

    print(f"closet: serving the {settings.profile} profile on http://{settings.host}:{settings.port}")
    uvicorn.run(
        "closet.entrypoints.http.asgi:app_factory",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        access_log=False,
        proxy_headers=True,
        log_level=settings.log_level.lower(),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
