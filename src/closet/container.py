"""The dependency-injector container: the one place adapters are chosen."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

from dependency_injector import containers, providers
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from closet.adapters.memory.probe import MemoryProbe
from closet.adapters.memory.store import MemoryStore
from closet.adapters.memory.uow import MemoryUnitOfWork
from closet.adapters.security.passwords import Argon2PasswordHasher
from closet.adapters.sql.engine import create_engine
from closet.adapters.sql.migrate import SchemaOutOfDate, ensure_current, upgrade
from closet.adapters.sql.probe import SqlProbe
from closet.adapters.sql.uow import SqlUnitOfWork
from closet.adapters.system import SystemClock
from closet.application import accounts, health, items
from closet.settings import Profile, Settings


async def open_sql(settings: Settings, engine: Callable[[], AsyncEngine]) -> AsyncIterator[None]:
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


def storage_kind(settings: Settings) -> str:
    return "sql" if settings.uses_sql else "memory"


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
    sql_lifecycle = providers.Resource(open_sql, settings=settings, engine=engine.provider)
    memory_store = providers.Singleton(MemoryStore)

    uow = providers.Selector(
        providers.Callable(storage_kind, settings),
        sql=providers.Factory(SqlUnitOfWork, engine=engine),
        memory=providers.Factory(MemoryUnitOfWork, store=memory_store),
    )

    probes = providers.Selector(
        providers.Callable(storage_kind, settings),
        sql=providers.List(providers.Factory(SqlProbe, engine=engine)),
        memory=providers.List(providers.Factory(MemoryProbe)),
    )
    check_readiness = providers.Factory(health.CheckReadiness, probes=probes)

    register_user = providers.Factory(accounts.RegisterUser, uow=uow, hasher=password_hasher, clock=clock)
    authenticate = providers.Factory(accounts.Authenticate, uow=uow, hasher=password_hasher)
    current_user = providers.Factory(accounts.CurrentUser, uow=uow)
    get_profile = providers.Factory(accounts.GetProfile, uow=uow)

    add_item = providers.Factory(items.AddItem, uow=uow, clock=clock)
    get_item = providers.Factory(items.GetItem, uow=uow)
    update_item = providers.Factory(items.UpdateItem, uow=uow, clock=clock)
    archive_item = providers.Factory(items.ArchiveItem, uow=uow, clock=clock)
    restore_item = providers.Factory(items.RestoreItem, uow=uow, clock=clock)
    delete_item = providers.Factory(items.DeleteItem, uow=uow)
    list_items = providers.Factory(items.ListItems, uow=uow)
    item_facets = providers.Factory(items.ItemFacets, uow=uow)


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
