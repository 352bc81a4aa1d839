"""A conflict copy names who sent its version, and the next receiver is told a conflict
is open on the sender's side (QA F6)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from archive import annotate, conflicts, keys
from archive.bundles.merge import import_bundle
from archive.bundles.writer import export_bundle
from tests.archive.annotate.test_cli import run
from tests.archive.conftest import Sent


def test_the_copy_is_sent_by_its_author_and_the_next_receiver_is_told(
    aung_sends: Callable[..., Sent], tmp_path: Path
) -> None:
    sent = aung_sends(note="first")
    shared = sent.tags["Daw Hnin Wai"]
    with sent.hla.acting() as b:
        import_bundle(b, sent.bundle)
        annotate.update_annotation(b, shared, note="Hla's reading")
        export_bundle(b, tmp_path / "2.sesame")
    with sent.aung.acting() as a:
        annotate.update_annotation(a, shared, note="Aung's reading")
        copy = import_bundle(a, tmp_path / "2.sesame").conflicts[0]["incoming_copy"]
        [open_one] = conflicts.open_conflicts(a)
        assert (
            open_one.copy["sent_by"].startswith("Hla (fingerprint ") and open_one.local is not None
        )
        assert open_one.local["sent_by"] is None  # his own is no copy
        assert open_one.copy["author"] == "Aung"  # the passage's first author
        export_bundle(a, tmp_path / "3.sesame")
    code, shown, _ = run("annotation", "show", copy, "--archive", str(sent.aung.archive_dir))
    assert code == 0 and shown["sent_by"].startswith("Hla ")
    with sent.hla.acting() as b:
        report = import_bundle(b, tmp_path / "3.sesame")
        assert report.open_conflicts == [copy]
        assert "1 conflict the sender has not resolved" in report.line()
        assert [c.id for c in conflicts.open_conflicts(b)] == [copy]
        hla_key = keys.public_key_text()
    with sent.aung.acting() as a:
        keys.add_contact("Hla Hla", hla_key)  # a known contact: by the name he gave her
        assert conflicts.sent_by_id(a, copy) == "Hla Hla"
        annotate.update_annotation(a, shared, note="Aung's reading, again")
        assert conflicts.sent_by_id(a, shared) is None  # no copy
