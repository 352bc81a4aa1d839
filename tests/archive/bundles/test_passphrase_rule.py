"""One rule for a bundle's passphrase (QA F18): at least MIN_PASSPHRASE characters,
refused in the core before anything is written, so the CLI and the window agree."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive.bundles.writer import export_bundle
from archive.encryption import MIN_PASSPHRASE, WeakPassphrase
from archive.store import Archive
from tests.archive.annotate.test_cli import arch, run  # noqa: F401


@pytest.mark.usefixtures("arch")
def test_the_cli_refuses_a_short_bundle_passphrase_with_exit_2(tmp_path: Path) -> None:
    secret = tmp_path / "short.txt"
    secret.write_text("abc\n")
    out = tmp_path / "short.sesame"
    code, doc, err = run("export-bundle", str(out), "--passphrase-file", str(secret))
    assert code == 2 and f"at least {MIN_PASSPHRASE}" in doc["error"]
    assert "Traceback" not in err and not out.exists()
    assert not list(tmp_path.glob(".short.sesame.*"))  # no half-written part either
    secret.write_text("x" * MIN_PASSPHRASE + "\n")
    code, doc, _ = run("export-bundle", str(out), "--passphrase-file", str(secret))
    assert code == 0 and doc["encrypted"] and out.exists()


@pytest.mark.usefixtures("arch")
def test_the_core_counts_characters_not_bytes(tmp_path: Path) -> None:
    with Archive.open(tmp_path / "arch") as archive:
        with pytest.raises(WeakPassphrase, match="at least 8"):
            export_bundle(archive, tmp_path / "x.sesame", passphrase="ကခဂ")  # 9 bytes, 3 chars
        assert not (tmp_path / "x.sesame").exists()
        report = export_bundle(archive, tmp_path / "y.sesame", passphrase="ကခဂဃငစဆဇ")
        assert report.encrypted
