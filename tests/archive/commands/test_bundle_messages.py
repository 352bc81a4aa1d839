"""What the bundle commands say when given the wrong thing (QA F3, F5, F8, F9), and the
`--json` shapes their --help shows (F16), the same as the format doc's and the objects'."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from archive.bundles.merge import MergeReport
from archive.bundles.reader import Verdict
from archive.bundles.writer import ExportReport, export_bundle
from archive.cli import main
from archive.commands.bundles import JSON_SHAPES
from archive.errors import InvalidInput
from archive.store import Archive
from tests.archive.annotate.test_cli import run

DOC = Path(__file__).parents[3] / "docs" / "bundle-format.md"


def _plain(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_export_into_a_missing_folder_names_the_folder(
    arch: dict[str, str], tmp_path: Path
) -> None:
    code, _, err = _plain("export-bundle", str(tmp_path / "nowhere" / "case.sesame"))
    assert code == 2 and f"The folder {tmp_path / 'nowhere'} does not exist" in err
    assert ".part" not in err and not (tmp_path / "nowhere").exists()
    with (
        Archive.open(tmp_path / "arch") as archive,
        pytest.raises(InvalidInput, match="does not exist"),
    ):
        export_bundle(archive, tmp_path / "nowhere" / "case.sesame")


def test_export_counts_in_words(arch: dict[str, str], tmp_path: Path) -> None:
    _plain("tag", arch["one"], "--quote", "Daw Hnin Wai", "--type", "actor")
    code, out, err = _plain("export-bundle", str(tmp_path / "c.sesame"))
    assert code == 0, err
    assert "2 articles, 1 annotation, 0 entities" in out and "(s)" not in out


def test_an_identity_that_is_not_one_is_a_usage_error(arch: dict[str, str], tmp_path: Path) -> None:
    bundle = tmp_path / "c.sesame"
    assert _plain("export-bundle", str(bundle))[0] == 0
    notakey = tmp_path / "pass.txt"
    notakey.write_text("a long passphrase\n")
    for command in ("verify-bundle", "import-bundle"):
        code, _, err = _plain(command, str(bundle), "--identity", str(notakey))
        assert code == 2 and "is not an age identity file" in err
        assert "Traceback" not in err and "Bech32" not in err
        code, _, err = _plain(command, str(bundle), "--identity", str(tmp_path / "nope.key"))
        assert code == 2 and "does not exist" in err


def test_a_bundle_for_a_key_given_a_passphrase_says_so(
    arch: dict[str, str], tmp_path: Path
) -> None:
    code, me, _ = run("whoami")
    bundle = tmp_path / "k.sesame"
    code, _, err = run("export-bundle", str(bundle), "--recipient", me["age_recipient"])
    assert code == 0, err
    secret = tmp_path / "pass.txt"
    secret.write_text("a long passphrase\n")
    code, verdict, _ = run("verify-bundle", str(bundle), "--passphrase-file", str(secret))
    assert code == 1 and "encrypted for someone's key" in verdict["reason"]
    assert "not for a passphrase" in verdict["reason"]
    assert "wrong passphrase" not in verdict["reason"]
    code, verdict, _ = run("verify-bundle", str(bundle))  # one's own key opens it
    assert code == 0 and verdict["encrypted"]


def _names(shape: str) -> set[str]:
    """The top-level member names of a shape such as '{"a", "b": {...}, "c": [...]}'."""
    depth, top = 0, []
    for ch in shape[shape.index("{") :]:
        if ch in "{[":
            depth += 1
        elif ch in "}]":
            depth -= 1
        top.append(ch if depth <= 1 else " ")
        if depth == 0:
            break
    return set(re.findall(r'"(\w+)"', "".join(top)))


def test_the_json_shapes_are_the_objects_and_the_docs(
    capsys: pytest.CaptureFixture[str],
) -> None:
    made = {
        "export-bundle": ExportReport("p", "b").to_dict(),
        "verify-bundle": Verdict(ok=True).to_dict(),
        "import-bundle": MergeReport("b", "Aung").to_dict(),
    }
    doc = " ".join(DOC.read_text(encoding="utf-8").split())
    for command, keys in made.items():
        assert _names(JSON_SHAPES[command]) == set(keys), command
        for key in keys:
            assert f'"{key}"' in doc, key
        assert main([command, "--help"]) == 0
        shown = " ".join(capsys.readouterr().out.split())
        assert "--json prints " + " ".join(JSON_SHAPES[command].split()) in shown
