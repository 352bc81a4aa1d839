"""Copies of one story: tokens, signatures, the threshold on written pairs, groups at import,
the user's split and join, the rebuild, undo."""

from pathlib import Path

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from archive import copies, segment
from archive.custody import check_custody
from archive.errors import InvalidInput
from archive.ingest import import_paths
from archive.store import Archive
from tests.archive.copies_pairs import (
    COPIES,
    MY_OTHER,
    MY_WIRE,
    MY_WIRE_NEW_LEAD,
    MY_WIRE_TRIMMED,
    NOT_COPIES,
    WIRE,
    WIRE_BYLINE,
    WIRE_NEW_LEAD,
    WIRE_OTHER,
    WIRE_TRIMMED,
)


def _tokens(text: str) -> list[str]:
    starts, ends = copies.token_spans(text)
    return [text[s:e] for s, e in zip(starts.tolist(), ends.tolist(), strict=True)]


# -- tokens and signatures --------------------------------------------------------------


def test_tokens_are_words_syllables_and_characters() -> None:
    assert _tokens("The 600 police, Mr. O'Neil!") == ["The", "600", "police", "Mr", "O", "Neil"]
    assert _tokens("Café naïve") == ["Café", "naïve"]
    assert _tokens("မြန်မာနိုင်ငံ NLDပါတီ") == ["မြန်", "မာ", "နိုင်", "ငံ", "NLD", "ပါ", "တီ"]
    assert _tokens("中文字") == ["中", "文", "字"]


_CONSONANTS = "ကခဂငစဆဇညတထဒနပဖဗဘမယရလဝသဟအ"
_SYLLABLE = st.builds(
    lambda c, medial, vowel, final: c + medial + vowel + final,
    st.sampled_from(_CONSONANTS),
    st.sampled_from(["", "\u103b", "\u103c", "\u103d", "\u103e"]),
    st.sampled_from(["", "\u102c", "\u102d", "\u102e", "\u102f", "\u1030", "\u1031", "\u1032"]),
    st.sampled_from(["", "\u1014\u103a", "\u1019\u103a", "\u1004\u103a\u1038", "\u1037"]),
)
_BURMESE = st.lists(st.lists(_SYLLABLE, min_size=1, max_size=5).map("".join), max_size=8).map(
    " ".join
)


@settings(max_examples=60, deadline=None)
@given(_BURMESE)
def test_burmese_tokens_are_the_archives_syllables(text: str) -> None:
    expected = [t.text for t in segment.tokenize(text) if t.script == segment.MYANMAR]
    assert _tokens(text) == expected


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=200))
@example(":\u0e33")  # a letter that is also a spacing mark (Thai SARA AM) after a colon
def test_tokens_never_cut_a_cluster_or_syllable(text: str) -> None:
    bounds = set(segment.syllable_bounds(text))
    starts, ends = copies.token_spans(text)
    assert set(starts.tolist()) <= bounds
    assert set(ends.tolist()) <= bounds
    assert all(s < e for s, e in zip(starts.tolist(), ends.tolist(), strict=True))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["army", "police", "600", "ရဲ", "Café", "中"]), max_size=30))
def test_equal_tokens_hash_equal_wherever_they_stand(words: list[str]) -> None:
    text = "  ".join(words) + ", " + " ".join(reversed(words))
    hashes = copies.token_hashes(text).tolist()
    tokens = [t.lower() for t in _tokens(text)]
    assert len(hashes) == len(tokens)
    by_token: dict[str, int] = {}
    for token, value in zip(tokens, hashes, strict=True):
        assert by_token.setdefault(token, value) == value
    assert len(set(by_token.values())) == len(by_token)


@settings(max_examples=30, deadline=None)
@given(st.text(min_size=0, max_size=400))
def test_signature_round_trips_and_matches_itself(text: str) -> None:
    sig = copies.signature(text)
    if sig is None:
        assert len(_tokens(text)) < copies.MIN_TOKENS
        return
    back = copies.decode(copies.encode(sig))
    assert back is not None and np.array_equal(back, sig)
    assert copies.similarity(sig, copies.signature(text.upper())) == 1.0  # type: ignore[arg-type]


def test_damaged_signature_is_ignored() -> None:
    assert copies.decode(b"") is None
    assert copies.decode(b"\x09" + bytes(4 * copies.NUM_PERM)) is None


@pytest.mark.parametrize("name", sorted(COPIES))
def test_copies_score_above_the_threshold(name: str) -> None:
    a, b = COPIES[name]
    sa, sb = copies.signature(a), copies.signature(b)
    assert sa is not None and sb is not None
    assert copies.similarity(sa, sb) >= copies.THRESHOLD


@pytest.mark.parametrize("name", sorted(NOT_COPIES))
def test_other_stories_score_below_the_threshold(name: str) -> None:
    a, b = NOT_COPIES[name]
    sa, sb = copies.signature(a), copies.signature(b)
    assert sa is not None and sb is not None
    assert copies.similarity(sa, sb) < copies.THRESHOLD


# -- groups at import -----------------------------------------------------------------


STORIES = {
    "wire.txt": WIRE,
    "new-lead.txt": WIRE_NEW_LEAD,
    "byline.txt": WIRE_BYLINE,
    "trimmed.txt": WIRE_TRIMMED,
    "other.txt": WIRE_OTHER,
    "my-wire.txt": MY_WIRE,
    "my-new-lead.txt": MY_WIRE_NEW_LEAD,
    "my-trimmed.txt": MY_WIRE_TRIMMED,
    "my-other.txt": MY_OTHER,
    "short.txt": "A short note about the march.\n",
}


def _write(folder: Path, names: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).write_text(STORIES[name], encoding="utf-8")
    return folder


def _import(archive: Archive, folder: Path) -> dict[str, str]:
    result = import_paths(archive, [folder], index=False)
    assert not result.failed
    return {Path(item.path).name: item.id for item in result.imported}


def _grouped(archive: Archive, ids: dict[str, str]) -> list[set[str]]:
    """The groups as sets of file names, in the order of their smallest name."""
    names = {v: k for k, v in ids.items()}
    return sorted(
        ({names.get(a, a) for a in g.articles} for g in copies.copy_groups(archive)), key=min
    )


ENGLISH = {"wire.txt", "new-lead.txt", "byline.txt", "trimmed.txt"}
BURMESE = {"my-wire.txt", "my-new-lead.txt", "my-trimmed.txt"}


def test_import_groups_copies_and_nothing_else(archive: Archive, tmp_path: Path) -> None:
    ids = _import(archive, _write(tmp_path / "in", list(STORIES)))
    assert _grouped(archive, ids) == [ENGLISH, BURMESE]
    assert check_custody(archive).ok
    with archive.session() as session:
        signed = session.connection().exec_driver_sql("SELECT count(*) FROM copysignature")
        assert signed.scalar() == len(STORIES) - 1  # the short note is too short to judge


def test_undoing_the_import_undoes_its_groups(archive: Archive, tmp_path: Path) -> None:
    first = _import(archive, _write(tmp_path / "a", ["wire.txt", "other.txt"]))
    assert copies.copy_groups(archive) == []
    second = _import(archive, _write(tmp_path / "b", ["trimmed.txt", "byline.txt"]))
    ids = first | second
    assert _grouped(archive, ids) == [{"wire.txt", "trimmed.txt", "byline.txt"}]
    archive.undo()
    assert copies.copy_groups(archive) == []
    with archive.session() as session:
        group = session.connection().exec_driver_sql(
            "SELECT copy_group FROM article WHERE id = ?", (first["wire.txt"],)
        )
        assert group.scalar() is None
    archive.redo()
    assert _grouped(archive, ids) == [{"wire.txt", "trimmed.txt", "byline.txt"}]


def test_import_without_detection_groups_nothing(archive: Archive, tmp_path: Path) -> None:
    result = import_paths(archive, [_write(tmp_path / "in", list(ENGLISH))], find_copies=False)
    assert len(result.imported) == 4
    assert copies.copy_groups(archive) == []


# -- the user's decisions -----------------------------------------------------------------


def test_split_is_kept_by_later_imports_and_rebuilds(archive: Archive, tmp_path: Path) -> None:
    ids = _import(archive, _write(tmp_path / "a", ["wire.txt", "trimmed.txt", "byline.txt"]))
    assert copies.split(archive, [ids["trimmed.txt"]]) == 1
    assert _grouped(archive, ids) == [{"wire.txt", "byline.txt"}]
    ids |= _import(archive, _write(tmp_path / "b", ["new-lead.txt"]))
    assert _grouped(archive, ids) == [{"wire.txt", "byline.txt", "new-lead.txt"}]
    copies.rebuild(archive)
    assert _grouped(archive, ids) == [{"wire.txt", "byline.txt", "new-lead.txt"}]
    assert check_custody(archive).ok


def test_split_of_a_pair_dissolves_it_and_undo_brings_it_back(
    archive: Archive, tmp_path: Path
) -> None:
    ids = _import(archive, _write(tmp_path / "a", ["wire.txt", "trimmed.txt"]))
    assert copies.split(archive, [ids["wire.txt"]]) == 2
    assert copies.copy_groups(archive) == []
    copies.rebuild(archive)
    assert copies.copy_groups(archive) == []
    archive.undo()  # the rebuild changed no group: not a step; the split is undone
    assert _grouped(archive, ids) == [{"wire.txt", "trimmed.txt"}]


def test_join_makes_one_group_and_detection_keeps_it(archive: Archive, tmp_path: Path) -> None:
    ids = _import(
        archive, _write(tmp_path / "a", ["wire.txt", "trimmed.txt", "other.txt", "my-other.txt"])
    )
    copies.join(archive, [ids["other.txt"], ids["my-other.txt"]])
    # The wire's group (with its trimmed copy) takes in the other group.
    group = copies.join(archive, [ids["wire.txt"], ids["other.txt"]])
    assert _grouped(archive, ids) == [{"wire.txt", "trimmed.txt", "other.txt", "my-other.txt"}]
    copies.rebuild(archive)
    assert _grouped(archive, ids) == [{"wire.txt", "trimmed.txt", "other.txt", "my-other.txt"}]
    assert {g.group for g in copies.copy_groups(archive)} == {group}
    assert check_custody(archive).ok


def test_split_and_join_refuse_what_they_cannot_do(archive: Archive, tmp_path: Path) -> None:
    ids = _import(archive, _write(tmp_path / "a", ["wire.txt"]))
    with pytest.raises(InvalidInput, match="at least two"):
        copies.join(archive, [ids["wire.txt"]])
    with pytest.raises(InvalidInput, match="No article"):
        copies.join(archive, [ids["wire.txt"], "nope"])
    with pytest.raises(InvalidInput, match="at least one"):
        copies.split(archive, [])


def test_rebuild_finds_groups_of_articles_imported_before(archive: Archive, tmp_path: Path) -> None:
    ids = _import(archive, _write(tmp_path / "a", list(STORIES)))
    with archive.change("wipe") as ch:  # as an archive made before copy detection
        ch.track("article", list(ids.values()))
        ch.session.connection().exec_driver_sql("UPDATE article SET copy_group = NULL")
        ch.session.connection().exec_driver_sql("DELETE FROM copysignature")
    assert copies.copy_groups(archive) == []
    done = copies.rebuild(archive)
    assert (done.articles, done.signed, done.groups) == (len(STORIES), len(STORIES) - 1, 2)
    assert _grouped(archive, ids) == [ENGLISH, BURMESE]


def test_cancelled_rebuild_changes_nothing(archive: Archive, tmp_path: Path) -> None:
    from archive.tasks import CancelToken

    _import(archive, _write(tmp_path / "a", list(ENGLISH)))
    token = CancelToken()
    token.cancel()
    assert copies.rebuild(archive, cancel=token).cancelled
    assert len(copies.copy_groups(archive)) == 1


def test_rebuild_of_unchanged_groups_changes_nothing(archive: Archive, tmp_path: Path) -> None:
    from archive.changes import history

    _import(archive, _write(tmp_path / "a", list(STORIES)))
    steps = len(history(archive, limit=100))
    done = copies.rebuild(archive)
    assert done.changed == 0
    assert len(history(archive, limit=100)) == steps


def test_splitting_articles_in_no_group_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    from archive import models

    with Archive.open(tmp_path / "arch", create=True) as archive:
        with archive.change("Setup") as ch:
            article = models.Article(title="Alone", text="A story nobody copied.")
            ch.session.add(article)
        with pytest.raises(InvalidInput, match="nothing to split"):
            copies.split(archive, [article.id])
        with archive.session() as session:
            stored = session.get(models.Article, article.id)
            assert stored is not None and stored.copy_group_by == "auto"
