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

    def resolved_database_url(self) -> str:
        """The database URL in force: the explicit one, or SQLite under data_dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'workspace.db'}"
