"""The mapping file: which CSV column feeds which field, and how CRM names become ours.

A YAML file (all keys optional; a preset supplies defaults, the file wins)::

    source: maven                 # system name stored with every external id
    columns:                      # CSV column -> dealgraph field
      opportunity_id: external_id
      deal_stage: stage
    values:                       # per column: raw value -> normalised value
      product: {GTXPro: GTX Pro}
    stages: {Prospecting: question_status_quo}   # CRM stage -> playbook stage (null: none)
    statuses: {Won: won, Lost: lost}             # CRM stage -> deal status (else open)
    roles: {Decision Maker: decision_maker}      # CRM contact role -> dealgraph role
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from dealgraph.core.enums import DealStatus, Role
from dealgraph.errors import ImportFailed
from dealgraph.io.mapping_file import read_mapping_file

Kind = Literal["opportunity", "stage_history", "contact_role"]

FIELDS: dict[Kind, frozenset[str]] = {
    "opportunity": frozenset(
        {
            "external_id",
            "title",
            "account",
            "owner",
            "value",
            "currency",
            "created_at",
            "close_date",
            "stage",
            "status",
            "is_closed",
            "is_won",
            "segment",
            "loss_reason",
        }
    ),
    "stage_history": frozenset({"external_id", "deal", "stage", "changed_at"}),
    "contact_role": frozenset({"external_id", "deal", "name", "title", "role"}),
}
ACCOUNT_FIELDS = frozenset({"name", "industry", "size", "region"})


class AccountsFile(BaseModel):
    """A CSV of account attributes, joined to opportunities by account name."""

    model_config = ConfigDict(extra="forbid")

    file: Path
    columns: dict[str, str] = Field(description="CSV column -> account field")


class CrmMapping(BaseModel):
    """A mapping file, or a preset's defaults merged with one."""

    model_config = ConfigDict(extra="forbid")

    source: str | None = Field(default=None, min_length=1, max_length=80)
    columns: dict[str, str] = Field(default_factory=dict)
    values: dict[str, dict[str, str]] = Field(default_factory=dict)
    stages: dict[str, str | None] = Field(default_factory=dict)
    statuses: dict[str, DealStatus] = Field(default_factory=dict)
    roles: dict[str, Role] = Field(default_factory=dict)
    title: str | None = Field(default=None, description="template of {column} names")
    placeholder_account: str | None = Field(
        default=None, description="account name for rows with none (default: no account)"
    )
    accounts: AccountsFile | None = None
    playbook: str = "buyer-journey"
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    date_format: str | None = Field(default=None, description="strptime format; default ISO")

    def column_of(self, field: str) -> str | None:
        """The CSV column mapped to ``field`` (the last one when several are)."""
        found = None
        for column, target in self.columns.items():
            if target == field:
                found = column
        return found

    def merged(self, override: CrmMapping) -> CrmMapping:
        """This mapping with ``override``'s entries on top (dicts merged key by key)."""
        data = self.model_dump(exclude_unset=False)
        given = override.model_dump(exclude_unset=True)
        for key, value in given.items():
            if isinstance(value, dict) and isinstance(data.get(key), dict) and key != "accounts":
                if key == "columns":
                    # A file that maps a field to a new column replaces the preset's column.
                    targets = set(value.values())
                    data[key] = {c: f for c, f in data[key].items() if f not in targets}
                data[key] = {**data[key], **value}
            else:
                data[key] = value
        return CrmMapping.model_validate(data)

    def check_fields(self, kind: Kind, *, where: str) -> None:
        """Every mapped field exists for this kind of record."""
        valid = FIELDS[kind]
        for column, target in self.columns.items():
            if target not in valid:
                raise ImportFailed(
                    f"unknown field {target!r}; valid: {', '.join(sorted(valid))}",
                    where=f"{where} -> columns -> {column}",
                )
        if self.accounts is not None:
            for column, target in self.accounts.columns.items():
                if target not in ACCOUNT_FIELDS:
                    raise ImportFailed(
                        f"unknown account field {target!r}; valid: "
                        f"{', '.join(sorted(ACCOUNT_FIELDS))}",
                        where=f"{where} -> accounts -> columns -> {column}",
                    )


def load_mapping(path: Path) -> CrmMapping:
    """Read a mapping file; ImportFailed names the file and the key path of a bad entry.

    A relative ``accounts.file`` is resolved against the mapping file's folder.
    """
    mapping = read_mapping_file(path, CrmMapping)
    if mapping.accounts is not None and not mapping.accounts.file.is_absolute():
        accounts = mapping.accounts.model_copy(update={"file": path.parent / mapping.accounts.file})
        mapping = mapping.model_copy(update={"accounts": accounts})
    return mapping
