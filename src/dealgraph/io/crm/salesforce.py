"""Salesforce presets: Opportunity, OpportunityHistory and OpportunityContactRole exports.

Column names are the API names a Data Loader or Data Export run writes; a mapping file can
rename any of them. Stage names differ in every org, so stages map through the mapping file;
closed/won come from ``IsClosed``/``IsWon`` unless a stage's status is mapped.
"""

from __future__ import annotations

from dealgraph.core.enums import Role
from dealgraph.io.crm.mapping import CrmMapping

SOURCE = "salesforce"

OPPORTUNITY = CrmMapping(
    source=SOURCE,
    columns={
        "Id": "external_id",
        "Name": "title",
        "Account.Name": "account",
        "Owner.Name": "owner",
        "Amount": "value",
        "CurrencyIsoCode": "currency",
        "CreatedDate": "created_at",
        "CloseDate": "close_date",
        "StageName": "stage",
        "IsClosed": "is_closed",
        "IsWon": "is_won",
        "Type": "segment",
        "Loss_Reason__c": "loss_reason",
    },
)

OPPORTUNITY_HISTORY = CrmMapping(
    source=SOURCE,
    columns={
        "Id": "external_id",
        "OpportunityId": "deal",
        "StageName": "stage",
        "CreatedDate": "changed_at",
    },
)

CONTACT_ROLES: dict[str, Role] = {
    "Business User": Role.USER,
    "Decision Maker": Role.DECISION_MAKER,
    "Economic Buyer": Role.ECONOMIC_BUYER,
    "Economic Decision Maker": Role.ECONOMIC_BUYER,
    "Evaluator": Role.EVALUATOR,
    "Executive Sponsor": Role.APPROVER,
    "Influencer": Role.INFLUENCER,
    "Technical Buyer": Role.EVALUATOR,
    "Other": Role.OTHER,
}

OPPORTUNITY_CONTACT_ROLE = CrmMapping(
    source=SOURCE,
    columns={
        "Id": "external_id",
        "OpportunityId": "deal",
        "Contact.Name": "name",
        "Contact.Title": "title",
        "Role": "role",
    },
    roles=CONTACT_ROLES,
)
