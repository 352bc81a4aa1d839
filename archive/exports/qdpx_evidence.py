"""The evidence model in a REFI-QDA project (issue 13): what QDA-XML 1.0 can hold of it.

- Variables (`<Variables>`, a value per TextSource): each article's review status,
  assignee, verification and its note, and its sensitive flag — the standard's
  "document variables", which NVivo, ATLAS.ti and MAXQDA show as attributes.
- A selection's Description: its figure claim with its low – best – high range and
  as-of date, its verification (with note), and "sensitive" if flagged.
- Links (`<Links>`, code to code, `OneWay`): each role runs from the actor's code to
  the event's ("Perpetrator"), each relation from its subject's code to its object's
  ("Commands"), each with a Note quoting its passage and naming its article. Only
  claims whose passage the project holds are written (so `--without-sensitive` drops
  them with their passages).
- Case notes: each covered collection's notes a Note, a member of its Set
  (`MemberNote`) and referred to from the project; links to passages left out as
  sensitive lose their label (`mask_note_links`).

GUIDs are name-based, as for the rest of the project (`qdpx.named_guid`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from archive.figures import claim_text, format_value

# (key, name, type): the order they are declared and given.
VARIABLES = (
    ("review_status", "Review status", "Text"),
    ("assignee", "Assignee", "Text"),
    ("verification", "Verification", "Text"),
    ("verification_note", "Verification note", "Text"),
    ("sensitive", "Sensitive", "Boolean"),
    ("sensitive_reason", "Sensitive reason", "Text"),
)
LEFT_OUT = "[sensitive passage left out]"
_MD_LINK = re.compile(r"\[((?:[^\]\\]|\\.)*)\]\(sesame:annotation/([0-9A-Za-z]{6,64})\)")


def words(key: str | None) -> str:
    return (key or "").replace("_", " ")


def variable_values(art: dict[str, Any], plain: Callable[[str | None], str]) -> dict[str, Any]:
    """An article's values of `VARIABLES` (text as words, names protected)."""
    return {
        "review_status": words(art.get("review_status")) or "unread",
        "assignee": plain(art.get("assignee")),
        "verification": words(art.get("verification")) or "unverified",
        "verification_note": plain(art.get("verification_note")),
        "sensitive": bool(art.get("sensitive")),
        "sensitive_reason": art.get("sensitive_reason") or "",
    }


def selection_description(a: dict[str, Any], plain: Callable[[str | None], str]) -> str:
    """What a selection's Description says: its figure claim (range, as of), verification,
    and the sensitive flag; "" when none applies."""
    parts = []
    if a["type_key"] == "figure" and a["value"] is not None:
        claim = claim_text(a["value"], a["qualifier"], plain(a["counted"]))
        if a.get("low") is not None or a.get("high") is not None:
            ends = [format_value(v) if v is not None else "?"
                    for v in (a.get("low"), a["value"], a.get("high"))]  # fmt: skip
            claim += f" (low – best – high: {' – '.join(ends)})"
        parts.append(claim + (f" (as of {a['as_of']})" if a["as_of"] else ""))
    status = a.get("verification") or "unverified"
    note = plain(a.get("verification_note"))
    if status != "unverified" or note:
        parts.append(f"Verification: {words(status)}" + (f" — {note}" if note else ""))
    if a.get("sensitive"):
        reason = a.get("sensitive_reason") or ""
        parts.append("Sensitive" + (f" ({reason})" if reason else ""))
    return "\n".join(parts)


def mask_note_links(text: str, left_out: Callable[[str], bool]) -> str:
    """Notes whose Markdown links to a passage `left_out(id)` says is left out carry
    `LEFT_OUT` as their label instead of the passage's quote."""

    def sub(m: re.Match[str]) -> str:
        if left_out(m.group(2)):
            return f"[{LEFT_OUT}](sesame:annotation/{m.group(2)})"
        return m.group(0)

    return _MD_LINK.sub(sub, text)
