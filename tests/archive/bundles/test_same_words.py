"""The same article with other spacing is matched, and its annotations re-anchored onto the
same words of the local text (issue 9 item 5, QA F20; format doc §10.2)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive import annotate, copies
from archive.bundles.merge import import_bundle, normalised_text_hash
from archive.bundles.writer import export_bundle
from tests.archive.conftest import REPORT, Person, add_report, tag

QUOTES = ("Daw Hnin Wai", "Myanmar Health Workers Union", "42 hospital staff", "Mandalay")
SPACES = st.sampled_from([" ", "  ", "\n", "\r\n", " \n ", "\t", "\u00a0"])


def _respaced(text: str, data: st.DataObject) -> str:
    """`text` with each of its whitespace runs replaced by a drawn one (spacing only)."""
    words = text.split()
    out = [data.draw(st.sampled_from(["", " ", "\r\n"]))]
    for w in words:
        out += [w, data.draw(SPACES)]
    return "".join(out)


def _words(text: str) -> list[str]:
    return text.split()


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_other_spacing_is_the_same_article_and_every_tag_lands_on_the_same_words(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch, data: st.DataObject
) -> None:
    root = tmp_path_factory.mktemp("same-words")  # a fresh pair of archives per example
    aung, hla = Person("Aung", root, monkeypatch), Person("Hla", root, monkeypatch)
    theirs = _respaced(REPORT, data)
    assert normalised_text_hash(theirs) == normalised_text_hash(REPORT)
    with aung.acting() as a:
        aid = add_report(a)
        ids = {q: tag(a, aid, q, entity_name=q) for q in QUOTES}
        export_bundle(a, root / "1.sesame")
    with hla.acting() as b:
        hid = add_report(b, text=theirs, title="Strike spreads (my copy)")
        with b.change("sign") as ch:
            copies.detect_unsigned(ch, [hid])
        report = import_bundle(b, root / "1.sesame")
        assert report.matched_articles == {aid: hid}
        assert not report.orphaned and report.added.get("articles") is None
        placed = {x.id: x for x in annotate.list_annotations(b)}
        for quote, ann_id in ids.items():
            ann = placed[ann_id]
            assert ann.article_id == hid and not ann.orphaned
            assert _words(theirs[ann.start : ann.end]) == _words(quote)


def test_another_text_is_not_matched(people: tuple[Person, Person], tmp_path: Path) -> None:
    aung, hla = people
    with aung.acting() as a:
        aid = add_report(a)
        tag(a, aid, "Daw Hnin Wai", entity_name="Hnin Wai")
        export_bundle(a, tmp_path / "1.sesame")
    with hla.acting() as b:
        other = REPORT.replace("250 nurses", "300 nurses")  # a word differs, not spacing
        hid = add_report(b, text=other, title="Strike spreads (my copy)")
        with b.change("sign") as ch:
            copies.detect_unsigned(ch, [hid])
        report = import_bundle(b, tmp_path / "1.sesame")
        assert report.matched_articles == {} and report.added.get("articles") == 1
