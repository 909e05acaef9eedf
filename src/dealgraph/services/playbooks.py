"""Playbook use cases for the edges: list the shipped ones, show one, check an uploaded file."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from dealgraph.core.playbook import Playbook, get_playbook, load_playbook_text, shipped_playbooks
from dealgraph.errors import InvalidInput, NotFound

MAX_UPLOAD_BYTES = 1_000_000


class PlaybookSummary(BaseModel):
    """One shipped playbook in a list."""

    model_config = ConfigDict(frozen=True)

    key: str
    title: str
    version: str
    stages: int
    plays: int
    decisions: int
    signals: int


def list_playbooks() -> list[PlaybookSummary]:
    """The playbooks shipped with dealgraph, by key."""
    summaries = []
    for key in sorted(shipped_playbooks()):
        playbook = get_playbook(key)
        summaries.append(
            PlaybookSummary(
                key=key,
                title=playbook.title,
                version=playbook.version,
                stages=len(playbook.stages),
                plays=len(playbook.plays),
                decisions=len(playbook.decisions),
                signals=len(playbook.signals),
            )
        )
    return summaries


def show_playbook(key: str) -> Playbook:
    """A shipped playbook by key; NotFound for any other name (never a path on the server)."""
    if key not in shipped_playbooks():
        raise NotFound("playbook", key)
    return get_playbook(key)


def validate_playbook_upload(content: bytes, *, filename: str) -> Playbook:
    """Load an uploaded playbook file; PlaybookError lists every problem, located.

    Raises InvalidInput (where ``file``) when the upload is too large or not UTF-8 text.
    """
    if len(content) > MAX_UPLOAD_BYTES:
        raise InvalidInput(
            f"the file is {len(content)} bytes; the limit is {MAX_UPLOAD_BYTES}", where="file"
        )
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidInput(
            f"the file is not UTF-8 text (byte {error.start})", where="file"
        ) from error
    return load_playbook_text(text, file=filename or "upload.yaml")
