"""Tag types: the built-in actor / event / figure and the ones people add.

A tag type has a key (used on the command line and in bundles), a label, a
colour (``#rrggbb``) and an optional one-key shortcut for keyboard tagging.
Built-in types cannot be deleted; user-defined types can be, once nothing
uses them.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from sqlmodel import Session, col, func, select

from archive import models, store
from archive.changes import Change, changing
from archive.errors import InvalidInput, NotFound
from archive.store import Archive

_KEY = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class TagTypeInfo:
    """A tag type as the GUI and the CLI show it."""

    key: str
    label: str
    colour: str
    shortcut: str | None
    builtin: bool


def _info(row: models.TagType) -> TagTypeInfo:
    return TagTypeInfo(row.key, row.label, row.colour, row.shortcut, row.builtin)


def _snapshot(row: models.TagType) -> dict[str, object]:
    return asdict(_info(row))


def get_tag_type(session: Session, key: str) -> models.TagType:
    """The tag type `key`, or NotFound naming the keys that exist."""
    row = session.get(models.TagType, key.strip().lower()) if key else None
    if row is None:
        known = ", ".join(t.key for t in store.tag_types(session))
        raise NotFound(
            f"No tag type {key!r}. Known types: {known} (add one with `sesame tagtype add`)."
        )
    return row


def list_tag_types(archive: Archive) -> list[TagTypeInfo]:
    """Every tag type, built-in first."""
    with archive.session() as session:
        return [_info(t) for t in store.tag_types(session)]


def _check_fields(
    session: Session, key: str, label: str, colour: str, shortcut: str | None
) -> str | None:
    if not label.strip():
        raise InvalidInput("A tag type needs a label, e.g. --label 'Place'.")
    if not _COLOUR.match(colour):
        raise InvalidInput(f"Colour {colour!r} is not of the form #rrggbb (e.g. #90be6d).")
    if shortcut is None or shortcut == "":
        return None
    if len(shortcut) != 1 or not shortcut.isalnum():
        raise InvalidInput(f"Shortcut {shortcut!r} must be a single letter or digit.")
    shortcut = shortcut.upper()
    for other in store.tag_types(session):
        if other.key != key and (other.shortcut or "").upper() == shortcut:
            raise InvalidInput(
                f"Shortcut {shortcut} is already used by tag type {other.key!r}; choose another."
            )
    return shortcut


def create_tag_type(
    target: Archive | Change, key: str, label: str, colour: str, shortcut: str | None = None
) -> TagTypeInfo:
    """Add a user-defined tag type (key: lowercase letters, digits, `-`, `_`)."""
    key = key.strip().lower()
    if not _KEY.match(key):
        raise InvalidInput(
            f"Tag type key {key!r} must start with a letter and use only a-z, 0-9, '-' or '_' "
            "(at most 32 characters)."
        )
    with changing(target, f"New tag type {key}") as ch:
        session = ch.session
        if session.get(models.TagType, key) is not None:
            raise InvalidInput(f"There is already a tag type {key!r}.")
        shortcut = _check_fields(session, key, label, colour, shortcut)
        row = models.TagType(
            key=key, label=label.strip(), colour=colour.lower(), shortcut=shortcut, builtin=False
        )
        session.add(row)
        ch.audit("tagtype", "create", key, after=_snapshot(row))
        return _info(row)


def update_tag_type(
    target: Archive | Change,
    key: str,
    *,
    label: str | None = None,
    colour: str | None = None,
    shortcut: str | None = None,
    clear_shortcut: bool = False,
) -> tuple[TagTypeInfo, TagTypeInfo]:
    """Change a tag type's label, colour or shortcut; returns (before, after)."""
    with changing(target, f"Edit tag type {key}") as ch:
        session = ch.session
        row = get_tag_type(session, key)
        before = _info(row)
        new_label = row.label if label is None else label
        new_colour = row.colour if colour is None else colour
        new_shortcut = None if clear_shortcut else (row.shortcut if shortcut is None else shortcut)
        new_shortcut = _check_fields(session, row.key, new_label, new_colour, new_shortcut)
        row.label, row.colour, row.shortcut = new_label.strip(), new_colour.lower(), new_shortcut
        session.add(row)
        ch.audit("tagtype", "update", row.key, before=asdict(before), after=_snapshot(row))
        return before, _info(row)


def delete_tag_type(target: Archive | Change, key: str) -> TagTypeInfo:
    """Delete a user-defined tag type that no annotation or entity uses."""
    with changing(target, f"Delete tag type {key}") as ch:
        session = ch.session
        row = get_tag_type(session, key)
        if row.builtin:
            raise InvalidInput(f"{row.key!r} is built in and cannot be deleted.")
        used = (
            session.exec(
                select(func.count()).where(col(models.Annotation.type_key) == row.key)
            ).one()
            + session.exec(select(func.count()).where(col(models.Entity.type_key) == row.key)).one()
        )
        if used:
            raise InvalidInput(
                f"Tag type {row.key!r} is still used by {used} annotation(s) or entities; "
                "delete or retype them first."
            )
        info = _info(row)
        session.delete(row)
        ch.audit("tagtype", "delete", info.key, before=asdict(info))
        return info
