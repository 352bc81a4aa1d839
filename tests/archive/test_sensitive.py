"""What is flagged sensitive among a few articles (archive/sensitive.py), read with plain SQL
on an archive's read connection, as `sesame search` and the window read it."""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st

from archive import annotate, review
from archive.sensitive import Passage, Sensitivity, marker, read_sensitive, reasons
from archive.store import Archive


def test_flagged_articles_and_passages_with_their_reasons(
    archive: Archive, add_article: Callable[..., str]
) -> None:
    plain = add_article("Nothing flagged here.\n", title="Plain")
    whole = add_article("A graphic report.\n", title="Graphic")
    parts = add_article("Daw Hnin Wai and U Ba spoke.\n", title="Names")
    review.flag_articles(archive, [whole], True, "graphic")
    first = annotate.create_annotation(archive, parts, 0, 12, "actor", entity_name="Hnin Wai")
    second = annotate.create_annotation(archive, parts, 17, 21, "actor", entity_name="Ba")
    review.flag_annotation(archive, second.id, True)
    review.flag_annotation(archive, first.id, True, "personal")
    with archive.read_connection() as conn:
        found = read_sensitive(conn, [plain, whole, parts, whole, "nosuch"])
    assert found == {
        whole: Sensitivity(True, "graphic", []),
        parts: Sensitivity(
            False, "", [Passage(first.id, 0, 12, "personal"), Passage(second.id, 17, 21, "")]
        ),
    }
    assert reasons(found[whole]) == (True, "graphic")
    assert reasons(found[parts], found[parts].within(0, 30)) == (True, "personal")
    assert reasons(found[parts], found[parts].within(12, 17)) == (False, "")
    assert reasons(None) == (False, "")
    assert review.sensitive_parts(archive, [plain, parts]) == {
        parts: (False, [(first.id, 0, 12), (second.id, 17, 21)])
    }
    with archive.read_connection() as conn:
        assert read_sensitive(conn, []) == {}
    assert marker("graphic") == "[sensitive: graphic]" and marker("") == "[sensitive]"


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 50), st.integers(1, 20), st.integers(0, 50), st.integers(1, 20))
def test_within_is_overlap(a: int, length: int, start: int, shown: int) -> None:
    """A passage (never empty) is within a snippet when they share a character."""
    passage = Passage("x", a, a + length, "")
    hit = Sensitivity(False, "", [passage]).within(start, start + shown)
    overlaps = bool(set(range(a, a + length)) & set(range(start, start + shown)))
    assert (hit == [passage]) == overlaps
