"""Opening a workspace database: engine, migrations to head, one transaction per session."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from dealgraph.store.dialects import engine_options, is_sqlite, prepare_engine


class Database:
    """A workspace database: its URL, its engine and a factory of transactional sessions."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.engine: Engine = sa.create_engine(url, echo=echo, **engine_options(url))
        prepare_engine(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: commit when the block ends normally, roll back on any exception."""
        with self._sessions() as session, session.begin():
            yield session

    def migrate(self) -> None:
        """Bring the schema to the newest migration (a no-op when it is there already)."""
        with self.engine.begin() as connection:
            config = alembic_config(connection=connection)
            command.upgrade(config, "head")

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def migrations_dir() -> Path:
    """The Alembic script directory shipped inside the package."""
    return Path(str(resources.files("dealgraph.store") / "migrations"))


def alembic_config(*, url: str | None = None, connection: sa.Connection | None = None) -> Config:
    """An Alembic configuration for the shipped migrations, bound to a URL or a connection.

    No ``alembic.ini`` in the working directory is needed.
    """
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    if url is not None:
        # ConfigParser treats '%' as interpolation; URLs may contain it when quoted.
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def open_database(url: str, *, migrate: bool = True, echo: bool = False) -> Database:
    """Open (and by default migrate) the workspace at ``url``.

    For SQLite the parent directory of the file is created when missing.
    """
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    db = Database(url, echo=echo)
    if migrate:
        db.migrate()
    return db


def sqlite_url(path: str | Path) -> str:
    """The SQLAlchemy URL of a SQLite file (made absolute)."""
    return f"sqlite:///{Path(path).expanduser().resolve()}"
