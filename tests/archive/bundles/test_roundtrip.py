"""A bundle carries everything: exported, verified and imported into an empty archive."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from archive import annotate, changes, entities, keys
from archive.bundles.merge import import_bundle
from archive.bundles.reader import verify_bundle
from archive.bundles.writer import export_bundle
from archive.store import Archive
from tests.archive.bundles.conftest import Person, add_report, tag
from tests.archive.test_changes import chain_ok, dump

BURMESE = "ရန်ကုန်တွင် ရဲတပ်ဖွဲ့ဝင် ၆၀၀ ကျော် သပိတ်မှောက်ခဲ့ကြသည်။ 😀 ဒေါ်ခင်ခင် က ပြောသည်။\n"


def _rows(archive: Archive, table: str, skip: tuple[str, ...] = ()) -> list[dict[str, object]]:
    with archive.engine.connect() as conn:
        result = conn.exec_driver_sql(f'SELECT * FROM "{table}" ORDER BY 1')
        names = list(result.keys())
        return [{k: v for k, v in zip(names, row, strict=True) if k not in skip} for row in result]


def test_round_trip_into_an_empty_archive_is_identical(
    people: tuple[Person, Person], tmp_path: Path
) -> None:
    aung, hla = people
    out = tmp_path / "case.sesame"
    with aung.acting() as a:
        first = add_report(a)
        second = add_report(a, BURMESE, title="ရန်ကုန် သပိတ်")
        tag(a, first, "Daw Hnin Wai", entity_name="Hnin Wai", note="witness")
        tag(a, first, "More than 250 nurses", "figure")
        tag(a, second, "ရဲတပ်ဖွဲ့ဝင် ၆၀၀ ကျော်", "figure")
        e = tag(a, second, "ဒေါ်ခင်ခင်", entity_name="ဒေါ်ခင်ခင်")
        annotate.update_annotation(a, e, note="မှတ်ချက်")
        entities.merge_entities(
            a,
            entities.list_entities(a, "actor")[0].id,
            entities.create_entity(a, "actor", "Hnin Wai of Yangon").id,
        )
        report = export_bundle(a, out)
        assert report.counts["articles"] == 2 and report.counts["annotations"] == 4
        originals = _rows(a, "original")
        articles = _rows(a, "article", skip=("meta",))
        annotations = _rows(a, "annotation")
        ents = _rows(a, "entity")
    with hla.acting() as b:
        verdict = verify_bundle(out)
        assert verdict.ok, verdict.reason
        assert verdict.signer == "Aung" and verdict.contact is None
        merged = import_bundle(b, out)
        assert merged.added["articles"] == 2 and merged.added["annotations"] == 4
        assert not merged.conflicts and not merged.orphaned
        assert _rows(b, "original") == originals  # byte for byte
        assert _rows(b, "article", skip=("meta",)) == articles
        assert _rows(b, "annotation") == annotations  # ids, offsets, quotes, notes, authors
        assert _rows(b, "entity") == ents  # aliases and the merge tombstone too
        chain_ok(b)
        # A second import adds and changes nothing.
        before = dump(b)
        again = import_bundle(b, out)
        assert again.changed_nothing and again.unchanged["annotations"] == 4
        assert dump(b) == before
        # The import is one undo step.
        assert [(h.label, h.state) for h in changes.history(b, 2)] == [
            ("Import bundle from Aung", "final"),  # the second: history, not an undo step
            ("Import bundle from Aung", "done"),
        ]
        b.undo()
        assert dump(b)["article"] == [] and dump(b)["annotation"] == []
        chain_ok(b)


def test_keys_are_private_and_contacts_are_recognised(
    people: tuple[Person, Person], tmp_path: Path
) -> None:
    aung, hla = people
    out = tmp_path / "b.sesame"
    with aung.acting() as a:
        add_report(a)
        export_bundle(a, out)
        key = keys.public_key_text()
        secret = aung.config / "keys" / keys.SIGNING_FILE
        assert stat.S_IMODE(os.stat(secret).st_mode) == 0o600
        assert keys.fingerprint(key).count(" ") == 7
        with a.session() as session:
            from archive import models

            user = session.exec(__import__("sqlmodel").select(models.User)).one()
            assert user.public_key == key
    assert secret.read_bytes() not in out.read_bytes()
    hla.me()
    assert verify_bundle(out).contact is None
    keys.add_contact("Aung Aung", key)
    verdict = verify_bundle(out)
    assert verdict.contact == "Aung Aung" and "a known contact" in verdict.line()


def test_encrypted_bundles_open_only_with_the_right_secret(
    people: tuple[Person, Person], tmp_path: Path
) -> None:
    aung, hla = people
    hla.me()
    hla_key = keys.age_recipient()
    with aung.acting() as a:
        add_report(a)
        export_bundle(a, tmp_path / "p.sesame", passphrase="correct horse")
        export_bundle(a, tmp_path / "r.sesame", recipients=[hla_key])
    assert not verify_bundle(tmp_path / "p.sesame").ok  # no passphrase
    assert not verify_bundle(tmp_path / "p.sesame", passphrase="wrong").ok
    assert verify_bundle(tmp_path / "p.sesame", passphrase="correct horse").ok
    assert not verify_bundle(tmp_path / "r.sesame", identity=keys.age_identity()).ok  # Aung's
    hla.me()
    assert verify_bundle(tmp_path / "r.sesame", identity=keys.age_identity()).ok
