"""HubSpot presets: the deals export and a deal stage history export.

Column names are the labels HubSpot writes in an export; a mapping file can rename any of
them. HubSpot's default pipeline stages map to statuses here; stages map through the file.
"""

from __future__ import annotations

from dealgraph.core.enums import DealStatus
from dealgraph.io.crm.mapping import CrmMapping

SOURCE = "hubspot"

DEFAULT_STATUSES: dict[str, DealStatus] = {
    "Closed Won": DealStatus.WON,
    "Closed Lost": DealStatus.LOST,
}

DEALS = CrmMapping(
    source=SOURCE,
    columns={
        "Record ID": "external_id",
        "Deal Name": "title",
        "Associated Company": "account",
        "Deal owner": "owner",
        "Amount": "value",
        "Currency": "currency",
        "Create Date": "created_at",
        "Close Date": "close_date",
        "Deal Stage": "stage",
        "Deal Type": "segment",
        "Closed Lost Reason": "loss_reason",
    },
    statuses=DEFAULT_STATUSES,
)

DEAL_STAGE_HISTORY = CrmMapping(
    source=SOURCE,
    columns={
        "Change ID": "external_id",
        "Record ID": "deal",
        "Deal Stage": "stage",
        "Date entered stage": "changed_at",
    },
)
