"""The tally every import keeps: records created, updated and left unchanged, by kind."""

from __future__ import annotations

from pydantic import BaseModel, Field, computed_field

from dealgraph.store.external import Change


class RecordCounts(BaseModel):
    """Records an import created, updated or found unchanged, by kind (accounts, deals, ...)."""

    created: dict[str, int] = Field(default_factory=dict)
    updated: dict[str, int] = Field(default_factory=dict)
    unchanged: dict[str, int] = Field(default_factory=dict)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def created_total(self) -> int:
        """Records created in all."""
        return sum(self.created.values())

    @computed_field  # type: ignore[prop-decorator]
    @property
    def updated_total(self) -> int:
        """Records updated in all."""
        return sum(self.updated.values())

    def count(self, kind: str, change: Change, n: int = 1) -> None:
        """Add ``n`` records of ``kind`` to the created, updated or unchanged tally."""
        if n:
            tally: dict[str, int] = getattr(self, change)
            tally[kind] = tally.get(kind, 0) + n
