"""The dependency-injector container: the one place adapters are chosen."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta

from dependency_injector import containers, providers
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import PyMongoError
from pymongo.write_concern import WriteConcern
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from closet.adapters.fabrica.remover import FabricaBackgroundRemover
from closet.adapters.files.blobs import FileImageStore
from closet.adapters.imaging.processor import ImagingPool, LocalBackgroundRemover, PillowImageProcessor
from closet.adapters.imaging.render import PillowOutfitRenderer, RecentRenders
from closet.adapters.mail.console import ConsoleMailer
from closet.adapters.mail.smtp import SmtpMailer
from closet.adapters.memory.blobs import MemoryImageStore
from closet.adapters.memory.documents import MemoryAuditStore, MemoryDocumentStore
from closet.adapters.memory.mail import MemoryMailer
from closet.adapters.memory.probe import MemoryProbe
from closet.adapters.memory.search import MemorySearchIndex
from closet.adapters.memory.store import MemoryDocuments, MemoryStore
from closet.adapters.memory.uow import MemoryUnitOfWork
from closet.adapters.mongo.client import ensure_indexes, mongo_client
from closet.adapters.mongo.documents import MongoAuditStore, MongoDocumentStore
from closet.adapters.mongo.probe import MongoProbe
from closet.adapters.security.passwords import Argon2PasswordHasher
from closet.adapters.security.rate_limits import MemoryRateCounters, RedisProbe, RedisRateCounters
from closet.adapters.sql.documents import SqlAuditStore, SqlDocumentStore
from closet.adapters.sql.engine import create_engine, create_sqlite_reader, serializable, uses_sqlite
from closet.adapters.sql.migrate import SchemaOutOfDate, ensure_current, upgrade
from closet.adapters.sql.probe import SqlProbe
from closet.adapters.sql.search import SqlSearchIndex
from closet.adapters.sql.uow import SqlUnitOfWork
from closet.adapters.system import SystemClock
from closet.application import accounts, collections, doctor, health, items, outfits, photos, transfer
from closet.application import search as searching
from closet.application.accounts.common import AccountKit
from closet.application.background import Background
from closet.application.documents import DocumentSync
from closet.application.jobs import JobRunner, JobSignal
from closet.application.notify import Links, Notifier
from closet.application.photos import CUTOUT_JOB, CutoutChain, PhotoKit
from closet.application.ports.images import BackgroundRemover, ImageLimits
from closet.application.rate_limits import RateLimiter
from closet.settings import Profile, Settings

log = logging.getLogger(__name__)


async def open_sql(
    settings: Settings,
    engine: Callable[[], AsyncEngine],
    documents_engine: Callable[[], AsyncEngine],
    reader_engine: Callable[[], AsyncEngine],
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
        await reader_engine().dispose()


def sqlite_readers(settings: Settings) -> bool:
    """SQLite gets an engine of its own for the read-only units of work (see create_sqlite_reader)."""
    return settings.uses_sql and uses_sqlite(settings.database_url)


def reader_engine_for(settings: Settings, engine: Callable[[], AsyncEngine]) -> AsyncEngine:
    return create_sqlite_reader(settings.database_url) if sqlite_readers(settings) else engine()


def storage_kind(settings: Settings) -> str:
    return "sql" if settings.uses_sql else "memory"


def counters_kind(settings: Settings) -> str:
    """Rate-limit counters shared by every worker in production (Redis); per process otherwise."""
    return "redis" if settings.profile is Profile.PRODUCTION else "memory"


async def open_counters(settings: Settings, redis: Callable[[], RedisRateCounters]) -> AsyncIterator[None]:
    """At stop: Redis's connections go. Without a Redis URL nothing made them (the commands that
    serve nothing, migrate and doctor, need none; `closet serve` refuses to start without one)."""
    try:
        yield None
    finally:
        if counters_kind(settings) == "redis" and settings.redis_url:
            await redis().close()


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


def removers(
    settings: Settings, fabrica: Callable[[], BackgroundRemover], local: BackgroundRemover
) -> list[BackgroundRemover]:
    """Fabrica first when it is configured; the local remover always, last."""
    return [fabrica(), local] if settings.uses_fabrica else [local]


def _mib(megabytes: int) -> int:
    return megabytes * 1024 * 1024


def job_lease(settings: Settings) -> timedelta:
    """Longer than a cut-out can take: three Fabrica attempts at their time-out, then local."""
    return timedelta(seconds=3 * (settings.fabrica_timeout_seconds + 5) + 120)


async def open_imaging(
    settings: Settings, pool: Callable[[], ImagingPool], fabrica: Callable[[], FabricaBackgroundRemover]
) -> AsyncIterator[None]:
    """At stop: the image threads and Fabrica's HTTP client go."""
    try:
        yield None
    finally:
        pool().shutdown()
        if settings.uses_fabrica:
            await fabrica().aclose()


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
    reader_engine = providers.Singleton(reader_engine_for, settings, engine.provider)
    writer_engine = providers.Singleton(serializable, engine)
    sql_lifecycle = providers.Resource(
        open_sql,
        settings=settings,
        engine=engine.provider,
        documents_engine=documents_engine.provider,
        reader_engine=reader_engine.provider,
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
    # The use cases that read, decide and write what another may change at the same moment (a
    # wear's count, a session, a membership, an outfit's items, a delete that reaches into other
    # things): SERIALIZABLE on Postgres, so that of two that would interleave one is refused and
    # run again (engine.serializable). Plain inserts and version-checked updates keep READ
    # COMMITTED: their statements are safe as they are, and under SERIALIZABLE every write of an
    # owner's items would collide with every other on the search counters the triggers keep.
    serial_uow = providers.Selector(
        providers.Callable(storage_kind, settings),
        sql=providers.Factory(SqlUnitOfWork, engine=writer_engine),
        memory=providers.Factory(MemoryUnitOfWork, store=memory_store),
    )
    reader = providers.Selector(  # read-only units of work, for the use cases that only read
        providers.Callable(storage_kind, settings),
        sql=providers.Factory(
            SqlUnitOfWork,
            engine=reader_engine,
            read_only=True,
            autocommit_engine=providers.Singleton(sqlite_readers, settings),
        ),
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

    redis_counters = providers.Singleton(RedisRateCounters.from_url, settings.provided.redis_url)
    rate_counters = providers.Selector(
        providers.Callable(counters_kind, settings),
        redis=redis_counters,
        memory=providers.Singleton(MemoryRateCounters),
    )
    counters_lifecycle = providers.Resource(open_counters, settings=settings, redis=redis_counters.provider)
    rate_limiter = providers.Singleton(RateLimiter, counters=rate_counters, clock=clock)

    probes = providers.Selector(
        providers.Callable(documents_kind, settings),
        mongo=providers.List(
            providers.Factory(SqlProbe, engine=engine),
            providers.Factory(MongoProbe, db=mongo_db),
            providers.Factory(RedisProbe, counters=redis_counters),
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
    log_in = providers.Factory(accounts.LogIn, uow=serial_uow, kit=account_kit)
    refresh = providers.Factory(accounts.Refresh, uow=serial_uow, kit=account_kit)
    log_out = providers.Factory(accounts.LogOut, uow=serial_uow, kit=account_kit)
    list_sessions = providers.Factory(accounts.ListSessions, uow=reader)
    current_user = providers.Factory(accounts.CurrentUser, uow=reader)
    get_profile = providers.Factory(accounts.GetProfile, uow=reader)
    update_profile = providers.Factory(accounts.UpdateProfile, uow=uow, kit=account_kit)
    change_password = providers.Factory(accounts.ChangePassword, uow=serial_uow, kit=account_kit)
    request_password_reset = providers.Factory(accounts.RequestPasswordReset, uow=uow, kit=account_kit)
    reset_password = providers.Factory(accounts.ResetPassword, uow=serial_uow, kit=account_kit)
    verify_email = providers.Factory(accounts.VerifyEmail, uow=uow, kit=account_kit)
    resend_verification = providers.Factory(accounts.ResendVerification, uow=uow, kit=account_kit)
    start_totp = providers.Factory(accounts.StartTotp, uow=uow, kit=account_kit)
    confirm_totp = providers.Factory(accounts.ConfirmTotp, uow=uow, kit=account_kit)
    disable_totp = providers.Factory(accounts.DisableTotp, uow=uow, kit=account_kit)
    renew_recovery_codes = providers.Factory(accounts.RenewRecoveryCodes, uow=uow, kit=account_kit)
    list_users = providers.Factory(accounts.ListUsers, uow=reader)
    set_disabled = providers.Factory(accounts.SetDisabled, uow=serial_uow, kit=account_kit)
    set_roles = providers.Factory(accounts.SetRoles, uow=uow, kit=account_kit)
    grant_admin = providers.Factory(accounts.GrantAdmin, uow=uow, kit=account_kit)
    user_audit = providers.Factory(accounts.UserAudit, audit_store=audit_store)

    image_limits = providers.Singleton(
        ImageLimits,
        max_bytes=settings.provided.image_max_bytes,
        max_pixels=settings.provided.image_max_pixels,
        max_edge=settings.provided.image_max_edge,
    )
    imaging_pool = providers.Singleton(ImagingPool, workers=settings.provided.image_workers)
    image_processor = providers.Singleton(PillowImageProcessor, pool=imaging_pool, limits=image_limits)
    image_store = providers.Selector(
        providers.Callable(storage_kind, settings),
        sql=providers.Singleton(FileImageStore, root=settings.provided.blobs_path),
        memory=providers.Singleton(MemoryImageStore),
    )
    local_remover = providers.Singleton(LocalBackgroundRemover, pool=imaging_pool, limits=image_limits)
    fabrica = providers.Singleton(
        FabricaBackgroundRemover,
        base_url=settings.provided.fabrica_url,
        api_key=settings.provided.fabrica_api_key,
        timeout_seconds=settings.provided.fabrica_timeout_seconds,
    )
    imaging_lifecycle = providers.Resource(
        open_imaging, settings=settings, pool=imaging_pool.provider, fabrica=fabrica.provider
    )
    cutout_chain = providers.Singleton(
        CutoutChain,
        removers=providers.Callable(removers, settings, fabrica.provider, local_remover),
        processor=image_processor,
    )
    job_signal = providers.Singleton(JobSignal)
    photo_kit = providers.Singleton(
        PhotoKit,
        store=image_store,
        processor=image_processor,
        chain=cutout_chain,
        clock=clock,
        signal=job_signal,
    )
    make_cutout = providers.Factory(photos.MakeCutout, uow=uow, kit=photo_kit, sync=document_sync)
    job_runner = providers.Singleton(
        JobRunner,
        uow_factory=uow.provider,
        clock=clock,
        handlers=providers.Dict({CUTOUT_JOB: make_cutout.provider}),
        signal=job_signal,
        concurrency=settings.provided.job_concurrency,
        lease=providers.Callable(job_lease, settings),
    )
    upload_photo = providers.Factory(photos.UploadPhoto, uow=uow, kit=photo_kit)
    add_item_with_photo = providers.Factory(
        photos.AddItemWithPhoto, uow=uow, kit=photo_kit, sync=document_sync
    )
    get_photo = providers.Factory(photos.GetPhoto, uow=reader, store=image_store)
    request_cutout = providers.Factory(photos.RequestCutout, uow=uow, kit=photo_kit)
    revert_cutout = providers.Factory(photos.RevertCutout, uow=uow, kit=photo_kit)
    upload_mask = providers.Factory(photos.UploadMask, uow=uow, kit=photo_kit)

    outfit_renderer = providers.Singleton(
        PillowOutfitRenderer,
        store=image_store,
        pool=imaging_pool,
        limits=image_limits,
        cache_bytes=providers.Callable(_mib, settings.provided.render_cache_mb),
    )
    recent_renders = providers.Singleton(
        RecentRenders,
        max_bytes=providers.Callable(_mib, settings.provided.rendered_cache_mb),
    )
    create_outfit = providers.Factory(outfits.CreateOutfit, uow=serial_uow, clock=clock, sync=document_sync)
    get_outfit = providers.Factory(outfits.GetOutfit, uow=reader, sync=document_sync)
    update_outfit = providers.Factory(outfits.UpdateOutfit, uow=serial_uow, clock=clock, sync=document_sync)
    delete_outfit = providers.Factory(
        outfits.DeleteOutfit, uow=serial_uow, sync=document_sync, images=image_store, clock=clock
    )
    duplicate_outfit = providers.Factory(
        outfits.DuplicateOutfit, uow=serial_uow, clock=clock, sync=document_sync
    )
    list_outfits = providers.Factory(outfits.ListOutfits, uow=reader)
    render_outfit = providers.Factory(
        outfits.RenderOutfit,
        reader=reader,
        writer=uow,
        renderer=outfit_renderer,
        store=image_store,
        recent=recent_renders,
    )
    save_template = providers.Factory(outfits.SaveTemplate, uow=serial_uow, clock=clock, sync=document_sync)
    fill_template = providers.Factory(outfits.FillTemplate, uow=serial_uow, clock=clock, sync=document_sync)
    create_share = providers.Factory(outfits.CreateShare, uow=uow, clock=clock)
    list_shares = providers.Factory(outfits.ListShares, uow=reader)
    revoke_share = providers.Factory(outfits.RevokeShare, uow=uow, clock=clock)
    open_share = providers.Factory(outfits.OpenShare, uow=reader, clock=clock)
    wear_outfit = providers.Factory(outfits.WearOutfit, uow=serial_uow, clock=clock, sync=document_sync)
    unwear_outfit = providers.Factory(outfits.UnwearOutfit, uow=serial_uow, sync=document_sync)
    wear_item = providers.Factory(outfits.WearItem, uow=serial_uow, clock=clock)
    unwear_item = providers.Factory(outfits.UnwearItem, uow=serial_uow)
    list_wears = providers.Factory(outfits.ListWears, uow=reader)

    create_collection = providers.Factory(
        collections.CreateCollection, uow=uow, clock=clock, sync=document_sync
    )
    get_collection = providers.Factory(collections.GetCollection, uow=reader, sync=document_sync)
    list_collections = providers.Factory(collections.ListCollections, uow=reader)
    update_collection = providers.Factory(
        collections.UpdateCollection, uow=serial_uow, clock=clock, sync=document_sync
    )
    delete_collection = providers.Factory(collections.DeleteCollection, uow=serial_uow, sync=document_sync)
    change_members = providers.Factory(
        collections.ChangeMembers, uow=serial_uow, clock=clock, sync=document_sync
    )
    list_collection_items = providers.Factory(
        collections.ListCollectionItems, uow=reader, sync=document_sync, clock=clock
    )

    export_closet = providers.Factory(
        transfer.ExportCloset, uow=reader, sync=document_sync, store=image_store, clock=clock
    )
    export_items_csv = providers.Factory(transfer.ExportItemsCsv, uow=reader)
    import_closet = providers.Factory(transfer.ImportCloset, uow=uow, kit=photo_kit, sync=document_sync)

    search_index = providers.Selector(
        providers.Callable(storage_kind, settings),
        sql=providers.Singleton(SqlSearchIndex, engine=engine),
        memory=providers.Singleton(MemorySearchIndex, store=memory_store),
    )
    search = providers.Factory(searching.Search, index=search_index)
    suggest = providers.Factory(searching.Suggest, index=search_index)

    add_item = providers.Factory(items.AddItem, uow=uow, clock=clock, sync=document_sync)
    get_item = providers.Factory(items.GetItem, uow=reader, sync=document_sync)
    update_item = providers.Factory(items.UpdateItem, uow=uow, clock=clock, sync=document_sync)
    archive_item = providers.Factory(items.ArchiveItem, uow=uow, clock=clock, sync=document_sync)
    restore_item = providers.Factory(items.RestoreItem, uow=uow, clock=clock, sync=document_sync)
    delete_item = providers.Factory(
        items.DeleteItem, uow=serial_uow, clock=clock, sync=document_sync, images=image_store
    )
    list_items = providers.Factory(items.ListItems, uow=reader, clock=clock)
    item_facets = providers.Factory(items.ItemFacets, uow=reader, clock=clock)


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
