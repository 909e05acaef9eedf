"""Small, realistic CRM exports and mapping files for the CRM import tests."""
# ruff: noqa: E501 - CSV fixture lines are kept whole, as a CRM writes them

from __future__ import annotations

from pathlib import Path

from tests.conftest import SHARED_DATA

MAVEN = SHARED_DATA / "crm_maven"

MAVEN_MAPPING = """\
source: maven
columns:
  opportunity_id: external_id
  sales_agent: owner
  account: account
  deal_stage: stage
  engage_date: created_at
  close_date: close_date
  close_value: value
  product: segment
title: "{product} for {account}"
values:
  product: {GTXPro: GTX Pro}
stages:
  Prospecting: question_status_quo
  Engaging: define_problem
  Won: adopt
  Lost: null
statuses:
  Won: won
  Lost: lost
accounts:
  file: ACCOUNTS
  columns: {account: name, sector: industry, employees: size, office_location: region}
"""

SF_OPPORTUNITY = """\
Id,Name,Account.Name,Owner.Name,Amount,CurrencyIsoCode,CreatedDate,CloseDate,StageName,IsClosed,IsWon,Type
006A000001,Acme renewal,Acme Corp,Dana Seller,"12,500.00",USD,2024-01-05T09:30:00.000Z,2024-03-29,Qualification,false,false,Existing Business
006A000002,Globex rollout,Globex,Dana Seller,48000,EUR,2024-01-10T14:00:00.000Z,2024-02-20,Closed Won,true,true,New Business
006A000003,Initech pilot,Initech,Lee Closer,9000,USD,2024-02-01T08:00:00.000Z,2024-02-28,Closed Lost,true,false,New Business
"""

SF_HISTORY = """\
Id,OpportunityId,StageName,CreatedDate,Amount
008A01,006A000001,Prospecting,2024-01-05T09:30:00.000Z,12500
008A02,006A000001,Qualification,2024-01-20T10:00:00.000Z,12500
008A03,006A000002,Prospecting,2024-01-10T14:00:00.000Z,48000
008A04,006A000002,Needs Analysis,2024-01-15T09:00:00.000Z,48000
008A05,006A000002,Closed Won,2024-02-20T16:45:00.000Z,48000
"""

SF_MAPPING = """\
stages:
  Prospecting: question_status_quo
  Qualification: define_problem
  Closed Won: adopt
  Closed Lost: null
"""

# Windows-1252: "Gérard Müller" is written with single bytes 0xE9 and 0xFC.
SF_CONTACT_ROLES = (
    "Id,OpportunityId,Contact.Name,Contact.Title,Role,IsPrimary\r\n"
    "00K01,006A000001,Gérard Müller,Directeur financier,Economic Buyer,true\r\n"
    "00K02,006A000001,Ann Lee,IT lead,Technical Buyer,false\r\n"
    "00K03,006A000002,Bo Chen,COO,Steering Committee,false\r\n"
)

HUBSPOT_DEALS = """\
Record ID,Deal Name,Associated Company,Deal owner,Amount,Create Date,Close Date,Deal Stage,Pipeline
9001,Northwind expansion,Northwind,Kim Hub,30000,2024-03-01 10:00,2024-05-30,Appointment Scheduled,Sales Pipeline
9002,Contoso suite,Contoso,Kim Hub,75000,2024-02-11 12:30,2024-04-15,Closed Won,Sales Pipeline
9003,Fabrikam trial,,Ola Hub,,2024-04-02 08:15,,Qualified To Buy,Sales Pipeline
"""

HUBSPOT_HISTORY = """\
Change ID,Record ID,Deal Stage,Date entered stage
h1,9002,Appointment Scheduled,2024-02-11 12:30
h2,9002,Qualified To Buy,2024-02-20 09:00
h3,9002,Closed Won,2024-04-15 17:00
h4,9003,Qualified To Buy,2024-04-02 08:15
"""

HUBSPOT_MAPPING = """\
stages:
  Appointment Scheduled: question_status_quo
  Qualified To Buy: define_problem
  Closed Won: adopt
"""


def write(folder: Path, name: str, text: str, *, encoding: str = "utf-8") -> Path:
    """Write a fixture file byte for byte (no newline translation)."""
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


def maven_mapping(folder: Path) -> Path:
    """The mapping file for the Maven opportunities, pointing at the shared accounts.csv."""
    text = MAVEN_MAPPING.replace("ACCOUNTS", str(MAVEN / "accounts.csv"))
    return write(folder, "maven.yaml", text)
