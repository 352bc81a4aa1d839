"""User-defined tag types: label, colour, shortcut; built-in ones stay."""

from collections.abc import Callable

import pytest

from archive import annotate, tagtypes
from archive.errors import InvalidInput, NotFound
from archive.store import Archive


def test_add_edit_delete_a_tag_type(archive: Archive, add_article: Callable[..., str]) -> None:
    info = tagtypes.create_tag_type(archive, "Place", "Place", "#90BE6D", "l")
    assert (info.key, info.colour, info.shortcut, info.builtin) == ("place", "#90be6d", "L", False)
    keys = [t.key for t in tagtypes.list_tag_types(archive)]
    assert keys == ["actor", "event", "figure", "place"]
    before, after = tagtypes.update_tag_type(archive, "place", label="Location", shortcut="P")
    assert (before.label, after.label, after.shortcut) == ("Place", "Location", "P")
    aid = add_article()
    ann = annotate.create_annotation(archive, aid, 0, 5, "place")
    with pytest.raises(InvalidInput, match="still used"):
        tagtypes.delete_tag_type(archive, "place")
    annotate.delete_annotation(archive, ann.id)
    assert tagtypes.delete_tag_type(archive, "place").key == "place"
    with pytest.raises(NotFound):
        tagtypes.update_tag_type(archive, "place", label="x")


@pytest.mark.parametrize(
    ("key", "colour", "shortcut", "message"),
    [
        ("9lives", "#000000", None, "must start with a letter"),
        ("actor", "#000000", None, "already a tag type"),
        ("weapon", "red", None, "#rrggbb"),
        ("weapon", "#000000", "AB", "single letter"),
        ("weapon", "#000000", "a", "already used by tag type 'actor'"),
    ],
)
def test_bad_tag_types_are_refused(
    archive: Archive, key: str, colour: str, shortcut: str | None, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        tagtypes.create_tag_type(archive, key, "Label", colour, shortcut)
    assert len(tagtypes.list_tag_types(archive)) == 3


def test_builtin_types_cannot_be_deleted(archive: Archive) -> None:
    with pytest.raises(InvalidInput, match="built in"):
        tagtypes.delete_tag_type(archive, "figure")
    _, after = tagtypes.update_tag_type(archive, "figure", colour="#123456", clear_shortcut=True)
    assert after.colour == "#123456" and after.shortcut is None
