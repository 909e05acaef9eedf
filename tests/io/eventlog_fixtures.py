"""Event logs for the import tests, and an independent reading of XES files (stdlib xml).

The oracle parses with ``xml.etree.ElementTree`` and converts times with ``datetime`` alone,
sharing no code with dealgraph's readers, so counts and values computed from it check the
import rather than restate it.
"""

from __future__ import annotations

import gzip
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from tests.conftest import SHARED_DATA

EVENTLOGS = SHARED_DATA / "eventlogs"
RUNNING_EXAMPLE = EVENTLOGS / "running-example.xes"
HELPDESK = EVENTLOGS / "helpdesk.xes.gz"


@dataclass(frozen=True)
class OracleEvent:
    """One event as the stdlib reads it."""

    activity: str
    timestamp: datetime
    resource: str | None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _utc(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def xes_cases(path: Path) -> dict[str, list[OracleEvent]]:
    """Case id -> its events in file order, read with ElementTree."""
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rb") as stream:
        root = ET.parse(stream).getroot()
    cases: dict[str, list[OracleEvent]] = {}
    for trace in (child for child in root if _local(child.tag) == "trace"):
        case = next(
            a.get("value") for a in trace if a.get("key") == "concept:name" and a.get("value")
        )
        events = cases.setdefault(str(case), [])
        for event in (child for child in trace if _local(child.tag) == "event"):
            values = {a.get("key"): a.get("value") for a in event}
            events.append(
                OracleEvent(
                    activity=str(values["concept:name"]),
                    timestamp=_utc(str(values["time:timestamp"])),
                    resource=values.get("org:resource"),
                )
            )
    return cases


RUNNING_EXAMPLE_MAPPING = """\
source: claims
stages:
  register request: question_status_quo
  Examine Casually: define_problem   # matched case-insensitively
  examine thoroughly: define_problem
  decide: choose_solution
outcomes:
  pay compensation: won
  reject request: lost
"""
STAGES = {
    "register request": "question_status_quo",
    "examine casually": "define_problem",
    "examine thoroughly": "define_problem",
    "decide": "choose_solution",
}
OUTCOMES = {"pay compensation": "won", "reject request": "lost"}

BAD_XES = """\
<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1.0">
  <trace>
    <string key="concept:name" value="A"/>
    <event>
      <string key="concept:name" value="first call"/>
      <date key="time:timestamp" value="2024-03-01T09:00:00+00:00"/>
    </event>
    <event>
      <string key="concept:name" value="second call"/>
      <date key="time:timestamp" value="2024-03-02T09:00:00+00:00"/>
    </event>
  </trace>
  <trace>
    <string key="concept:name" value="B"/>
    <event>
      <string key="concept:name" value="no time"/>
    </event>
    <event>
      <date key="time:timestamp" value="2024-03-03T09:00:00+00:00"/>
    </event>
    <event>
      <string key="concept:name" value="kept"/>
      <date key="time:timestamp" value="2024-03-04T09:00:00+00:00"/>
    </event>
  </trace>
</log>
"""

# A CRM-like activity log: stage names as the playbook titles them, a few touches, outcomes.
TOUCHES_CSV = """\
deal,step,at,via,who,result,company
D1,Questioning the status quo,02/01/2024 09:00,e-mail,sam,,Acme
D1,demo call,03/01/2024 10:00,Zoom,sam,advanced,Acme
D2,questioning THE status quo,02/01/2024 11:00,phone,kim,,
D1,Contract signed,10/01/2024 16:00,field,sam,Won,Acme
D2,Follow up,05/01/2024 09:00,carrier pigeon,kim,lost,Globex
"""
TOUCHES_MAPPING = """\
source: crm-log
columns:
  {deal: case, step: activity, at: timestamp, via: channel, who: resource, result: outcome,
   company: account}
timestamp_format: "%d/%m/%Y %H:%M"
"""

BAD_CSV = """\
deal,step,at,result
D1,call,2024-01-02T09:00,
D1,call,soon,
,call,2024-01-03T09:00,
D2,call,2024-01-04T09:00,maybe
D2,,2024-01-05T09:00,
D2,call,2024-01-06T09:00,won
"""


def write(folder: Path, name: str, text: str) -> Path:
    """Write a fixture file and return its path."""
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path
