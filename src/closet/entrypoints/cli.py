"""The `closet` command: serve, migrate, relay, jobs, doctor, admin."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
import uuid
from collections.abc import Sequence

from closet.application.doctor import DriftReport
from closet.application.errors import NotFound, StorageUnavailable
from closet.application.ports.documents import DocumentKind
from closet.container import Container, DatabaseNotReady, build_container, check_database, migrate_database
from closet.entrypoints.process import tune_allocator
from closet.settings import Settings, SettingsError, load_settings


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="closet", description="closet, a wardrobe service")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the HTTP API (and the outbox relay)")
    serve.add_argument("--host", help="address to bind (CLOSET_HOST, default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (CLOSET_PORT, default 8000)")
    serve.add_argument("--workers", type=int, help="worker processes (CLOSET_WORKERS, default 1)")
    commands.add_parser("migrate", help="apply database migrations")
    relay = commands.add_parser("relay", help="apply pending document changes from the outbox")
    relay.add_argument("--once", action="store_true", help="drain what is due, then exit")
    jobs = commands.add_parser("jobs", help="run background jobs (photo cut-outs) outside `closet serve`")
    jobs.add_argument("--once", action="store_true", help="run what is due, then exit")
    doctor = commands.add_parser("doctor", help="report drift between SQL and the documents store")
    doctor.add_argument("--repair", action="store_true", help="fix what it finds")
    admin = commands.add_parser("admin", help="administration from the command line")
    admin_commands = admin.add_subparsers(dest="admin_command", required=True)
    grant = admin_commands.add_parser("grant", help="give a user the admin role")
    grant.add_argument("email")
    args = parser.parse_args(argv)

    for name in ("host", "port", "workers"):
        value = getattr(args, name, None)
        if value is not None:  # flags win over the environment, in every worker
            os.environ[f"CLOSET_{name.upper()}"] = str(value)
    try:
        settings = load_settings(serving=args.command == "serve")
        if args.command == "migrate":
            asyncio.run(migrate_database(settings))
            print(f"closet: the {settings.profile} database is up to date")
            return 0
        asyncio.run(check_database(settings))  # once, before any worker starts
        logging.basicConfig(
            level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s"
        )
        if args.command == "relay":
            return asyncio.run(_relay(settings, once=args.once))
        if args.command == "jobs":
            tune_allocator()
            return asyncio.run(_jobs(settings, once=args.once))
        if args.command == "doctor":
            return asyncio.run(_doctor(settings, repair=args.repair))
        if args.command == "admin":
            return asyncio.run(_grant_admin(settings, args.email))
    except SettingsError as exc:
        print(f"closet: {exc}", file=sys.stderr)
        return 2
    except (DatabaseNotReady, StorageUnavailable) as exc:
        print(f"closet: {exc}", file=sys.stderr)
        return 1
    return _serve(settings)


async def _with_container(settings: Settings) -> Container:
    container = build_container(settings)
    started = container.init_resources()
    if started is not None:
        await started
    return container


async def _stop(container: Container) -> None:
    await container.document_sync().flush()  # write-behind publishes still in flight
    stopped = container.shutdown_resources()
    if stopped is not None:
        await stopped


async def _relay(settings: Settings, *, once: bool) -> int:
    container = await _with_container(settings)
    try:
        sync = container.document_sync()
        if once:
            report = await sync.drain()
            print(f"closet relay: applied {report.applied}, failed {report.failed}")
            return 0 if report.failed == 0 else 1
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        print(f"closet relay: running every {settings.relay_interval_seconds}s (Ctrl-C stops)")
        await sync.run_forever(settings.relay_interval_seconds, stop)
        return 0
    finally:
        await _stop(container)


async def _jobs(settings: Settings, *, once: bool) -> int:
    container = await _with_container(settings)
    runner = container.job_runner()
    try:
        if once:
            print(f"closet jobs: ran {await runner.drain()}")
            return 0
        print("closet jobs: running (Ctrl-C stops)")
        task = asyncio.create_task(runner.run_forever())
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, task.cancel)
        with contextlib.suppress(asyncio.CancelledError):
            await task
        return 0
    finally:
        await runner.stop()
        await _stop(container)


async def _doctor(settings: Settings, *, repair: bool) -> int:
    container = await _with_container(settings)
    try:
        doctor = container.doctor()
        if not repair:
            report = await doctor.check()
            _print_report("drift", report)
            return 0 if report.total == 0 else 3
        result = await doctor.repair()
        _print_report("found", result.before)
        _print_report("after repair", result.after)
        _print_lost(result.lost)
        return 0 if result.after.total == 0 else 3
    finally:
        await _stop(container)


async def _grant_admin(settings: Settings, email: str) -> int:
    container = await _with_container(settings)
    try:
        user = await container.grant_admin().by_email(email)
        print(f"closet: {user.email} is an admin")
        return 0
    except NotFound:
        print(f"closet: no account uses {email}", file=sys.stderr)
        return 1
    finally:
        await _stop(container)


def _print_report(title: str, report: DriftReport) -> None:
    print(f"closet doctor — {title}: {report.total}")
    print(f"  documents with no SQL row:        {len(report.orphans)}")
    print(f"  SQL rows with no document:        {len(report.missing)}")
    print(f"  documents at another version:     {len(report.stale)}")
    print(f"  outbox rows stuck:                {len(report.stuck)}")
    print(f"  changes in flight (not drift):    {report.in_flight}")
    for kind, drift in report.kinds.items():
        if drift.total:
            counts = f"{len(drift.orphans)} with no row, {len(drift.missing)} missing, {len(drift.stale)}"
            print(f"  {kind.value + ':':<20} {counts} at another version")


def _print_lost(lost: dict[DocumentKind, list[uuid.UUID]]) -> None:
    for kind, ids in lost.items():
        print(f"  cannot be rebuilt ({kind.value}: only the document held their data, and it is gone):")
        for doc_id in ids:
            print(f"    {doc_id}")


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
