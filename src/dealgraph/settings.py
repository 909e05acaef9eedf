"""One settings tree, read from the environment with the ``DEALGRAPH_`` prefix."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_data_dir() -> Path:
    return Path.home() / ".local" / "share" / "dealgraph"


class Settings(BaseSettings):
    """Settings for every edge of dealgraph (CLI, web, library)."""

    model_config = SettingsConfigDict(env_prefix="DEALGRAPH_", extra="ignore")

    data_dir: Path = Field(
        default_factory=default_data_dir,
        description="Directory holding the default workspace database and other local files.",
    )
    database_url: str | None = Field(
        default=None,
        description=(
            "SQLAlchemy URL of the workspace database, e.g. "
            "postgresql+psycopg://user@host/db. Unset: a SQLite file `workspace.db` in data_dir."
        ),
    )
    default_playbook: str = Field(
        default="buyer-journey",
        description="Playbook key given to new deals when none is named.",
    )
    history_min_deals: int = Field(
        default=30,
        ge=1,
        description=(
            "Deals that must have passed a stage before the GPS trusts the workspace's own "
            "history for that stage's duration instead of the playbook's p50/p90."
        ),
    )
    eta_trials: int = Field(
        default=2000,
        ge=100,
        description="Monte Carlo trials behind each ETA (P50/P90).",
    )
    echo_sql: bool = Field(default=False, description="Log every SQL statement (debugging).")
    secret_key: str | None = Field(
        default=None,
        description=(
            "Key that signs session cookies (at least 32 characters). Required by "
            "`dealgraph serve`; `dealgraph demo` makes a random one for its run."
        ),
    )
    session_minutes: int = Field(
        default=480, ge=5, description="Minutes a web sign-in lasts before it expires."
    )
    share_link_days: int = Field(
        default=14, ge=1, le=365, description="Days a buyer share link stays valid by default."
    )
    spark_master: str = Field(
        default="local[2]", description="Spark master URL used by `--engine spark`."
    )
    host: str = Field(default="127.0.0.1", description="Address `dealgraph serve` binds to.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port `dealgraph serve` uses.")

    def resolved_database_url(self) -> str:
        """The database URL in force: the explicit one, or SQLite under data_dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'workspace.db'}"
