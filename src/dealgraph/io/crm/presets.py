"""The import formats: which kind of record each reads and the mapping it starts from."""

from __future__ import annotations

from dataclasses import dataclass

from dealgraph.errors import ImportFailed
from dealgraph.io.crm import hubspot, salesforce
from dealgraph.io.crm.mapping import CrmMapping, Kind

GENERIC_SOURCE = "csv"


@dataclass(frozen=True)
class Preset:
    """One ``--format``: the record kind it yields and its default mapping."""

    name: str
    kind: Kind
    defaults: CrmMapping
    needs_mapping: bool = False


PRESETS: dict[str, Preset] = {
    preset.name: preset
    for preset in (
        Preset("salesforce-opportunity", "opportunity", salesforce.OPPORTUNITY),
        Preset("salesforce-history", "stage_history", salesforce.OPPORTUNITY_HISTORY),
        Preset("salesforce-contact-role", "contact_role", salesforce.OPPORTUNITY_CONTACT_ROLE),
        Preset("hubspot-deals", "opportunity", hubspot.DEALS),
        Preset("hubspot-history", "stage_history", hubspot.DEAL_STAGE_HISTORY),
        Preset(
            "opportunities-csv",
            "opportunity",
            CrmMapping(source=GENERIC_SOURCE),
            needs_mapping=True,
        ),
    )
}
FORMATS: tuple[str, ...] = ("native", *PRESETS)


def resolve(format_name: str, mapping: CrmMapping | None) -> tuple[Preset, CrmMapping]:
    """The preset of ``format_name`` and its mapping with ``mapping``'s entries on top."""
    preset = PRESETS.get(format_name)
    if preset is None:
        raise ImportFailed(
            f"unknown format {format_name!r}; valid: {', '.join(PRESETS)}", where="--format"
        )
    if mapping is None:
        if preset.needs_mapping:
            raise ImportFailed(
                "this format needs a mapping file (--mapping FILE)", where="--mapping"
            )
        return preset, preset.defaults
    return preset, preset.defaults.merged(mapping)
