"""SQLAlchemy 2 async: Postgres via asyncpg, SQLite via aiosqlite, one codebase."""
