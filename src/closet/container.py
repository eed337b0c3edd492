"""The dependency-injector container: the one place adapters are chosen."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable

from dependency_injector import containers, providers
from litestar.stores.base import Store
from litestar.stores.memory import MemoryStore as LitestarMemoryStore
from litestar.stores.redis import RedisStore
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import PyMongoError
from pymongo.write_concern import WriteConcern
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from closet.adapters.mail.console import ConsoleMailer
from closet.adapters.mail.smtp import SmtpMailer
from closet.adapters.memory.documents import MemoryAuditStore, MemoryDocumentStore
from closet.adapters.memory.mail import MemoryMailer
from closet.adapters.memory.probe import MemoryProbe
from closet.adapters.memory.store import MemoryDocuments, MemoryStore
from closet.adapters.memory.uow import MemoryUnitOfWork
from closet.adapters.mongo.client import ensure_indexes, mongo_client
from closet.adapters.mongo.documents import MongoAuditStore, MongoDocumentStore
from closet.adapters.mongo.probe import MongoProbe
from closet.adapters.security.passwords import Argon2PasswordHasher
from closet.adapters.security.rate_limits import FailOpenStore, StoreProbe
from closet.adapters.sql.documents import SqlAuditStore, SqlDocumentStore
from closet.adapters.sql.engine import create_engine
from closet.adapters.sql.migrate import SchemaOutOfDate, ensure_current, upgrade
from closet.adapters.sql.probe import SqlProbe
from closet.adapters.sql.uow import SqlUnitOfWork
from closet.adapters.system import SystemClock
from closet.application import accounts, doctor, health, items
from closet.application.accounts.common import AccountKit
from closet.application.background import Background
from closet.application.documents import DocumentSync
from closet.application.notify import Links, Notifier
from closet.settings import Profile, Settings

log = logging.getLogger(__name__)


async def open_sql(
    settings: Settings, engine: Callable[[], AsyncEngine], documents_engine: Callable[[], AsyncEngine]
) -> AsyncIterator[None]:
    """Check (or, on the embedded profile, apply) migrations at start; dispose at stop."""
    if not settings.uses_sql:
        yield None
        return
    if settings.profile is Profile.EMBEDDED:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    sql = engine()
    try:
        await ensure_current(sql, migrate=bool(settings.auto_migrate))
        yield None
    finally:
        await sql.dispose()
        await documents_engine().dispose()


def storage_kind(settings: Settings) -> str:
    return "sql" if settings.uses_sql else "memory"


def counters_store(settings: Settings) -> Store:
    """Rate-limit counters shared by every worker in production (Redis); per process otherwise."""
    if settings.profile is Profile.PRODUCTION:
        return RedisStore.with_client(url=settings.redis_url, namespace="closet-rate-limit")
    return LitestarMemoryStore()


def mail_kind(settings: Settings) -> str:
    return "memory" if settings.profile is Profile.MEMORY else settings.mail


def documents_kind(settings: Settings) -> str:
    """Where metadata documents live: MongoDB (production), a SQL JSON table, or memory."""
    if settings.uses_mongo:
        return "mongo"
    return storage_kind(settings)


async def open_mongo(settings: Settings, client: Callable[[], AsyncMongoClient]) -> AsyncIterator[None]:  # type: ignore[type-arg]
    """Create the indexes at start (if MongoDB is up; the relay catches up if not); close at stop."""
    if not settings.uses_mongo:
        yield None
        return
    mongo = client()
    try:
        try:
            await ensure_indexes(mongo.get_database(settings.mongo_database))
        except PyMongoError as exc:
            log.warning("MongoDB is not reachable at start; documents will follow: %s", exc)
        yield None
    finally:
        await mongo.close()


def mongo_database(client: AsyncMongoClient, settings: Settings) -> AsyncDatabase:  # type: ignore[type-arg]
    concern = settings.mongo_write_concern
    return client.get_database(
        settings.mongo_database, write_concern=WriteConcern(w=int(concern) if concern.isdigit() else concern)
    )


class Container(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)

    clock = providers.Singleton(SystemClock)
    password_hasher = providers.Singleton(
        Argon2PasswordHasher,
        time_cost=settings.provided.password_time_cost,
        memory_cost_kib=settings.provided.password_memory_kib,
    )

    engine = providers.Singleton(
        create_engine, settings.provided.database_url, pool_size=settings.provided.db_pool_size
    )
    # The SQL documents store has a pool of its own: a request that holds a unit-of-work
    # connection while reading documents must never wait for a second one from the same pool.
    documents_engine = providers.Singleton(
        create_engine, settings.provided.database_url, pool_size=settings.provided.db_pool_size
    )
    sql_lifecycle = providers.Resource(
        open_sql, settings=settings, engine=engine.provider, documents_engine=documents_engine.provider
    )
    memory_store = providers.Singleton(MemoryStore)
    memory_documents = providers.Singleton(MemoryDocuments)
    mongo = providers.Singleton(
        mongo_client, settings.provided.mongo_url, timeout_ms=settings.provided.mongo_timeout_ms
    )
    mongo_lifecycle = providers.Resource(open_mongo, settings=settings, client=mongo.provider)
    mongo_db = providers.Singleton(mongo_database, mongo, settings)

    uow = providers.Selector(
        providers.Callable(storage_kind, settings),
        sql=providers.Factory(SqlUnitOfWork, engine=engine),
        memory=providers.Factory(MemoryUnitOfWork, store=memory_store),
    )
    reader = providers.Selector(  # read-only units of work, for the use cases that only read
        providers.Callable(storage_kind, settings),
        sql=providers.Factory(SqlUnitOfWork, engine=engine, read_only=True),
        memory=providers.Factory(MemoryUnitOfWork, store=memory_store),
    )

    documents = providers.Selector(
        providers.Callable(documents_kind, settings),
        mongo=providers.Singleton(MongoDocumentStore, db=mongo_db),
        sql=providers.Singleton(SqlDocumentStore, engine=documents_engine),
        memory=providers.Singleton(MemoryDocumentStore, state=memory_documents),
    )
    audit_store = providers.Selector(
        providers.Callable(documents_kind, settings),
        mongo=providers.Singleton(MongoAuditStore, db=mongo_db),
        sql=providers.Singleton(SqlAuditStore, engine=documents_engine),
        memory=providers.Singleton(MemoryAuditStore, state=memory_documents),
    )
    document_sync = providers.Singleton(
        DocumentSync, uow_factory=uow.provider, documents=documents, audit=audit_store, clock=clock
    )

    counters = providers.Singleton(counters_store, settings)
    rate_limit_store = providers.Singleton(FailOpenStore, inner=counters)

    probes = providers.Selector(
        providers.Callable(documents_kind, settings),
        mongo=providers.List(
            providers.Factory(SqlProbe, engine=engine),
            providers.Factory(MongoProbe, db=mongo_db),
            providers.Factory(StoreProbe, store=counters),
        ),
        sql=providers.List(providers.Factory(SqlProbe, engine=engine)),
        memory=providers.List(providers.Factory(MemoryProbe)),
    )
    check_readiness = providers.Factory(health.CheckReadiness, probes=probes, uow=reader)
    doctor = providers.Factory(
        doctor.Doctor, uow_factory=uow.provider, documents=documents, sync=document_sync, clock=clock
    )

    mailer = providers.Selector(
        providers.Callable(mail_kind, settings),
        memory=providers.Singleton(MemoryMailer),
        console=providers.Singleton(ConsoleMailer),
        smtp=providers.Singleton(
            SmtpMailer,
            host=settings.provided.smtp_host,
            port=settings.provided.smtp_port,
            sender=settings.provided.smtp_sender,
            username=settings.provided.smtp_username,
            password=settings.provided.smtp_password,
            starttls=settings.provided.smtp_starttls,
        ),
    )
    background = providers.Singleton(Background)
    notifier = providers.Singleton(
        Notifier,
        mailer=mailer,
        links=providers.Factory(Links, base_url=settings.provided.public_url),
        background=background,
    )
    account_kit = providers.Singleton(
        AccountKit,
        hasher=password_hasher,
        clock=clock,
        sync=document_sync,
        notifier=notifier,
        background=background,
    )

    register_user = providers.Factory(accounts.RegisterUser, uow=uow, kit=account_kit)
    log_in = providers.Factory(accounts.LogIn, uow=uow, kit=account_kit)
    refresh = providers.Factory(accounts.Refresh, uow=uow, kit=account_kit)
    log_out = providers.Factory(accounts.LogOut, uow=uow, kit=account_kit)
    list_sessions = providers.Factory(accounts.ListSessions, uow=reader)
    current_user = providers.Factory(accounts.CurrentUser, uow=reader)
    get_profile = providers.Factory(accounts.GetProfile, uow=reader)
    update_profile = providers.Factory(accounts.UpdateProfile, uow=uow, kit=account_kit)
    change_password = providers.Factory(accounts.ChangePassword, uow=uow, kit=account_kit)
    request_password_reset = providers.Factory(accounts.RequestPasswordReset, uow=uow, kit=account_kit)
    reset_password = providers.Factory(accounts.ResetPassword, uow=uow, kit=account_kit)
    verify_email = providers.Factory(accounts.VerifyEmail, uow=uow, kit=account_kit)
    resend_verification = providers.Factory(accounts.ResendVerification, uow=uow, kit=account_kit)
    start_totp = providers.Factory(accounts.StartTotp, uow=uow, kit=account_kit)
    confirm_totp = providers.Factory(accounts.ConfirmTotp, uow=uow, kit=account_kit)
    disable_totp = providers.Factory(accounts.DisableTotp, uow=uow, kit=account_kit)
    renew_recovery_codes = providers.Factory(accounts.RenewRecoveryCodes, uow=uow, kit=account_kit)
    list_users = providers.Factory(accounts.ListUsers, uow=reader)
    set_disabled = providers.Factory(accounts.SetDisabled, uow=uow, kit=account_kit)
    set_roles = providers.Factory(accounts.SetRoles, uow=uow, kit=account_kit)
    grant_admin = providers.Factory(accounts.GrantAdmin, uow=uow, kit=account_kit)
    user_audit = providers.Factory(accounts.UserAudit, audit_store=audit_store)

    add_item = providers.Factory(items.AddItem, uow=uow, clock=clock, sync=document_sync)
    get_item = providers.Factory(items.GetItem, uow=reader, sync=document_sync)
    update_item = providers.Factory(items.UpdateItem, uow=uow, clock=clock, sync=document_sync)
    archive_item = providers.Factory(items.ArchiveItem, uow=uow, clock=clock, sync=document_sync)
    restore_item = providers.Factory(items.RestoreItem, uow=uow, clock=clock, sync=document_sync)
    delete_item = providers.Factory(items.DeleteItem, uow=uow, clock=clock, sync=document_sync)
    list_items = providers.Factory(items.ListItems, uow=reader)
    item_facets = providers.Factory(items.ItemFacets, uow=reader)


def build_container(settings: Settings) -> Container:
    return Container(settings=settings)


class DatabaseNotReady(RuntimeError):
    """The database cannot be used: unreachable, or its schema is not this version's."""


async def migrate_database(settings: Settings) -> None:
    """Apply every pending migration (what `closet migrate` runs)."""
    await _with_engine(settings, upgrade)


async def check_database(settings: Settings) -> None:
    """Before serving: reachable and at this version's schema (migrating if configured to)."""

    async def check(engine: AsyncEngine) -> None:
        await ensure_current(engine, migrate=bool(settings.auto_migrate))

    await _with_engine(settings, check)


async def _with_engine(settings: Settings, run: Callable[[AsyncEngine], Awaitable[None]]) -> None:
    if not settings.uses_sql:
        return
    if settings.profile is Profile.EMBEDDED:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_engine(settings.database_url, pool_size=1)
    try:
        await run(engine)
    except SchemaOutOfDate as exc:
        raise DatabaseNotReady(str(exc)) from exc
    except (SQLAlchemyError, OSError) as exc:
        where = make_url(settings.database_url).render_as_string(hide_password=True)
        raise DatabaseNotReady(f"cannot use the database at {where}: {exc}") from exc
    finally:
        await engine.dispose()
