"""A person tagged under another spelling is pseudonymised too (QA F1): every passage
linked to a protected entity has its quote replaced, wherever it is written, and the
article travels without its original."""

from __future__ import annotations

import os
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive import annotate, collections, entities
from archive.bundles.merge import import_bundle
from archive.bundles.pseudonyms import Passage, Pseudonyms
from archive.bundles.reader import open_bundle
from archive.bundles.writer import export_bundle
from archive.store import Archive
from tests.archive.bundles.conftest import Person, add_report, tag

BURMESE = "ဗိုလ်ကြီးဇော်မင်း"  # "Captain Zaw Min", as a Burmese article writes him
STORY = f"မုံရွာမြို့နယ်တွင် {BURMESE}က ရွာကို မီးရှို့ရန် အမိန့်ပေးခဲ့သည်။\nရွာသားများက {BURMESE}ကို မြင်ခဲ့သည်။\n"


def _members(path: Path) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return b"\n".join(zf.read(n) for n in zf.namelist())


def test_a_burmese_spelling_tagged_as_the_person_is_not_sent(
    people: tuple[Person, Person], tmp_path: Path
) -> None:
    aung, hla = people
    out = tmp_path / "p.sesame"
    with aung.acting() as a:
        mm = add_report(a, STORY, title="Monywa")
        en = add_report(a)
        zaw = tag(a, en, "Zaw Min Htet", entity_name="Zaw Min Htet")
        zaw_id = annotate.get_annotation(a, zaw).entity_id
        assert zaw_id
        s = STORY.index(BURMESE)
        annotate.create_annotation(a, mm, s, s + len(BURMESE), "actor", entity_id=zaw_id)
        tag(a, mm, "ရွာသားများ", entity_name="villagers")
        coll = collections.create_collection(a, f"{BURMESE} case", "about Zaw Min Htet")
        collections.add_articles(a, coll.id, [mm, en])
        report = export_bundle(a, out, pseudonymise=["Zaw Min Htet"])
        assert report.counts["originals"] == 0  # both texts changed: no original travels
    everything = _members(out)
    assert BURMESE.encode() not in everything and b"Zaw Min Htet" not in everything
    bundle = open_bundle(out)
    assert bundle.manifest["options"]["originals_left_out"] == 2
    texts = {d["id"]: d["text"] for d in bundle.articles}
    assert texts[mm].count("Actor A") == 2  # the second mention, untagged, too
    for ann in bundle.annotations:
        pos, quote = ann["target"]["selector"]
        article = spec_id(ann["target"]["source"])
        assert texts[article][pos["start"] : pos["end"]] == quote["exact"]
        assert texts[article][: pos["start"]].endswith(quote["prefix"])
    with hla.acting() as b:
        merged = import_bundle(b, out)
        assert merged.added["annotations"] == 3 and not merged.orphaned
        assert {c.name for c in collections.list_collections(b)} == {"Actor A case"}


def spec_id(urn: str) -> str:
    return urn.rsplit(":", 1)[1]


def test_offsets_follow_a_tagged_passage_replaced_where_it_is() -> None:
    text = "He met ဗိုလ်ကြီးဇော်မင်းက at noon; ဗိုလ်ကြီးဇော်မင်းသည် left. Zaw Min? zaw min!"
    s = text.index("ဗိုလ်")
    p = Pseudonyms([("Actor", "Zaw Min", [])], [[Passage("a1", s, s + len(BURMESE), BURMESE)]])
    rw = p.rewrite(text, "a1")
    assert rw.text == "He met Actor Aက at noon; Actor Aသည် left. Actor A? Actor A!"
    assert rw.text[rw.offset(s) : rw.offset(s + len(BURMESE), end=True)] == "Actor A"
    # A one-letter quote is replaced at its passage only (not every "U" of every text).
    q = Pseudonyms([("Actor", "Zaw Min", [])], [[Passage("a1", 0, 1, "U")]])
    assert q.rewrite("U Tin met U Zaw Min", "a1").text == "Actor A Tin met U Actor A"
    assert q.plain("U Tin") == "U Tin"


# Tokens no one of which is inside another (Latin, whole words), and Burmese ones whose
# first consonant is in no other token: a quote made of whole tokens is found only where
# it is written, so the byte scan below cannot flag a word that is not the quote.
LATIN = ["Zaw", "Min", "Captain", "raid", "village", "burned", "soldiers", "Tuesday"]
MYANMAR = ["ဇော်", "မင်း", "ရွာ", "ကြီး", "တပ်", "သား", "ဗိုလ်", "ဒေါ်"]
SEPARATORS = [" ", " ", ", ", "\n", ""]


@st.composite
def _story(draw: st.DrawFn) -> tuple[str, list[tuple[int, int]]]:
    """A text of tokens, and the (start, end) offsets of each token."""
    tokens = draw(st.lists(st.sampled_from(LATIN + MYANMAR), min_size=4, max_size=24))
    text, spans = "", []
    for t in tokens:
        if text:
            sep = draw(st.sampled_from(SEPARATORS))
            if not sep and (t in LATIN or text[-1].isascii()):
                sep = " "  # Latin words are written apart; Burmese ones may run together
            text += sep
        spans.append((len(text), len(text) + len(t)))
        text += t
    return text, spans


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    story=_story(),
    second=_story(),
    picks=st.lists(st.tuples(st.integers(0, 23), st.integers(1, 3), st.booleans()), max_size=6),
)
def test_no_linked_quote_nor_name_is_in_any_member(
    story: tuple[str, list[tuple[int, int]]],
    second: tuple[str, list[tuple[int, int]]],
    picks: list[tuple[int, int, bool]],
) -> None:
    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as mp:
        mp.setenv("SESAME_CONFIG_DIR", os.path.join(tmp, "config"))
        mp.setenv("SESAME_USER", "Aung")
        out = Path(tmp) / "p.sesame"
        quotes = {"Zaw Min", "Thiha"}  # the protected entity's name and alias
        with Archive.open(Path(tmp) / "a", create=True) as a:
            person = entities.create_entity(a, "actor", "Zaw Min", aliases=["Thiha"])
            other = entities.create_entity(a, "event", "Battalion 33")
            ids = [add_report(a, t, title=f"Story {i}") for i, (t, _) in enumerate([story, second])]
            for n, (first, count, protected) in enumerate(picks):
                aid, (text, spans) = (ids[n % 2], [story, second][n % 2])
                first %= len(spans)
                last = min(first + count, len(spans)) - 1
                s, e = spans[first][0], spans[last][1]
                annotate.create_annotation(
                    a, aid, s, e, "actor" if protected else "event",
                    entity_id=person.id if protected else other.id,
                    note=f"about {text[s:e]}",
                )  # fmt: skip
                if protected:
                    quotes.add(text[s:e])
            export_bundle(a, out, pseudonymise=[person.id])
        everything = _members(out)
        for q in quotes:
            assert q.encode() not in everything, q
        bundle = open_bundle(out)
        texts = {d["id"]: d["text"] for d in bundle.articles}
        assert len(bundle.annotations) == len(picks)
        for ann in bundle.annotations:
            pos, quote = ann["target"]["selector"]
            text = texts[spec_id(ann["target"]["source"])]
            assert text[pos["start"] : pos["end"]] == quote["exact"]


def test_a_text_whose_lower_case_is_longer_is_matched_as_it_is() -> None:
    p = Pseudonyms([("Actor", "Zaw Min", ["ဗိုလ်ကြီးဇော်မင်း"])])
    rw = p.rewrite("İnsein: ZAW MIN and ဗိုလ်ကြီးဇော်မင်းက")
    assert rw.text == "İnsein: Actor A and Actor Aက"
    assert rw.offset(8) == 8 and rw.offset(15, end=True) == 15
