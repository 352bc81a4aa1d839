"""`sesame export-bundle`, `verify-bundle`, `import-bundle`, `contacts` from the command line."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tests.archive.annotate.test_cli import run


def test_two_archives_exchange_from_the_command_line(
    arch: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, _ = run("tag", arch["one"], "--quote", "Daw Hnin Wai", "--type", "actor",
                     "--entity", "Hnin Wai")  # fmt: skip
    assert code == 0
    out = tmp_path / "case.sesame"
    code, doc, _ = run("export-bundle", str(out))
    assert code == 0 and doc["counts"]["articles"] == 2 and doc["counts"]["annotations"] == 1
    code, me, _ = run("whoami")
    assert me["fingerprint"] == doc["fingerprint"]

    # Hla, on her own machine, with her own archive.
    monkeypatch.setenv("SESAME_CONFIG_DIR", str(tmp_path / "hla-config"))
    monkeypatch.setenv("SESAME_USER", "Hla")
    other = ["--archive", str(tmp_path / "hla")]
    code, verdict, _ = run("verify-bundle", str(out))
    assert code == 0 and verdict["ok"] and verdict["known_contact"] is None
    code, contact, _ = run("contacts", "add", "Test User", me["public_key"])
    assert code == 0 and contact["fingerprint"] == me["fingerprint"]
    code, verdict, _ = run("verify-bundle", str(out))
    assert verdict["known_contact"] == "Test User"
    assert "a known contact" in verdict["verdict"]
    code, report, _ = run("import-bundle", str(out), *other)
    assert code == 0 and report["added"]["annotations"] == 1 and report["conflicts"] == []
    code, again, _ = run("import-bundle", str(out), *other)
    assert code == 0 and again["added"] == {} and again["updated"] == {}
    code, anns, _ = run("annotations", *other)
    assert [a["quote"] for a in anns] == ["Daw Hnin Wai"]
    code, _, _ = run("undo", *other)  # the first import (the second changed nothing)
    code, anns, _ = run("annotations", *other)
    assert anns == []


def test_refusals_have_exit_status_1_and_change_nothing(
    arch: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "p.sesame"
    secret = tmp_path / "pass.txt"
    secret.write_text("a long passphrase\n")
    code, doc, _ = run("export-bundle", str(out), "--passphrase-file", str(secret))
    assert code == 0 and doc["encrypted"]
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not it\n")
    code, verdict, _ = run("verify-bundle", str(out), "--passphrase-file", str(wrong))
    assert code == 1 and "wrong passphrase" in verdict["reason"]
    code, verdict, _ = run("verify-bundle", str(out), "--passphrase-file", str(secret))
    assert code == 0 and verdict["encrypted"]
    damaged = tmp_path / "d.sesame"
    damaged.write_bytes(out.read_bytes()[:100])
    code, report, _ = run("import-bundle", str(damaged), "--passphrase-file", str(secret))
    assert code == 1 and report["ok"] is False
    code, history, _ = run("history")
    assert history == []  # nothing was written


@pytest.mark.parametrize(("content", "reason"), [(b"", "is empty"), (b"\xff pw", "not UTF-8")])
def test_an_unusable_bundle_passphrase_file_is_a_usage_error(
    arch: dict[str, str], tmp_path: Path, content: bytes, reason: str
) -> None:
    secret = tmp_path / "pass.txt"
    secret.write_bytes(content)
    out = tmp_path / "p.sesame"
    code, doc, err = run("export-bundle", str(out), "--passphrase-file", str(secret))
    assert code == 2 and reason in doc["error"] and "bundle's passphrase file" in err
    assert "Traceback" not in err and not out.exists()
    code, doc, err = run("verify-bundle", str(out), "--passphrase-file", str(tmp_path / "no"))
    assert code == 2 and "cannot be read" in doc["error"]


def test_an_existing_bundle_file_is_replaced_only_with_force(
    arch: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "case.sesame"
    out.write_bytes(b"an earlier bundle")
    code, doc, err = run("export-bundle", str(out))
    assert code == 2 and "already exists" in err and "--force" in err and "Traceback" not in err
    assert isinstance(doc, dict) and "already exists" in doc["error"]
    assert out.read_bytes() == b"an earlier bundle"
    link = tmp_path / "dangling.sesame"
    link.symlink_to(tmp_path / "nowhere.sesame")
    assert run("export-bundle", str(link))[0] == 2
    assert not (tmp_path / "nowhere.sesame").exists()
    # Forced but failing (a recipient that is not an age key): the earlier file stays whole.
    code, _, err = run("export-bundle", str(out), "--force", "--recipient", "age1notakey")
    assert code == 1 and "not an age public key" in err
    assert out.read_bytes() == b"an earlier bundle"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]
    code, doc, err = run("export-bundle", str(out), "--force")
    assert code == 0, err
    assert doc["counts"]["articles"] == 2
    assert run("verify-bundle", str(out))[0] == 0


def test_force_is_in_the_help_of_export_bundle(capsys: pytest.CaptureFixture[str]) -> None:
    from archive.cli import main

    assert main(["export-bundle", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "--force replace OUT if it exists already" in text
    assert "OUT exists already and no --force was given" in text
    assert "OUT is left as it was, never half written" in text


def test_a_query_with_no_hits_writes_no_bundle(arch: dict[str, str], tmp_path: Path) -> None:
    """An empty bundle, signed, would be sent as if it held the search's results."""
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / "none.sesame"
    code, doc, err = run("export-bundle", str(out), "--query", "nowhereword")
    assert code == 1 and "no article matches it" in doc["error"] and "nowhereword" in err
    assert "Traceback" not in err
    assert list(out.parent.iterdir()) == []  # nothing written, no temp file beside it
    # Plain output says the same on stderr.
    from archive.cli import main

    stdout, stderr = io.StringIO(), io.StringIO()
    assert main(["export-bundle", str(out), "--query", "nowhereword"], stdout, stderr) == 1
    assert "No bundle written" in stderr.getvalue() and not out.exists()
    # A query that finds something is exported as before.
    code, doc, _ = run("export-bundle", str(out), "--query", "Hnin")
    assert code == 0 and doc["counts"]["articles"] >= 1 and out.exists()


def test_contacts_add_replace_and_remove(arch: dict[str, str], tmp_path: Path) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from archive import keys

    first, second = (keys.public_key_text(Ed25519PrivateKey.generate()) for _ in range(2))
    assert run("contacts", "add", "Aung", first)[0] == 0
    code, doc, _ = run("contacts", "add", "Aung", second)
    assert code == 1 and "already a contact with another key" in doc["error"]
    code, doc, _ = run("contacts", "add", "Bad", "notakey")
    assert code == 2 and "not a Sesame public key" in doc["error"]
    code, doc, _ = run("contacts", "add", "--replace", "Aung", second)
    assert code == 0 and doc["public_key"] == second
    code, rows, _ = run("contacts")
    assert [(r["name"], r["public_key"]) for r in rows] == [("Aung", second)]
    code, doc, _ = run("contacts", "remove", "Aung")
    assert code == 0 and doc["fingerprint"] == keys.fingerprint(second)
    code, doc, _ = run("contacts", "remove", "Aung")
    assert code == 1 and "No contact is named" in doc["error"]
    assert run("contacts")[1] == []
