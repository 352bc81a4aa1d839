"""Hostile bundles never harm the archive and never hang: each is refused with its reason."""

from __future__ import annotations

import hashlib
import json
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive import keys
from archive.bundles import spec
from archive.bundles.merge import import_bundle
from archive.bundles.reader import BundleRefused, open_bundle, verify_bundle
from archive.bundles.writer import export_bundle
from tests.archive.bundles.conftest import Person, add_report, tag
from tests.archive.test_changes import dump

Members = dict[str, bytes]


@pytest.fixture
def good(people: tuple[Person, Person], tmp_path: Path) -> tuple[Path, Members, Person]:
    """A real bundle by Aung, and its members."""
    aung, _ = people
    path = tmp_path / "good.sesame"
    with aung.acting() as a:
        aid = add_report(a)
        tag(a, aid, "Daw Hnin Wai", entity_name="Hnin Wai", note="witness")
        export_bundle(a, path)
    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    return path, members, aung


def _write(path: Path, members: list[tuple[str | zipfile.ZipInfo, bytes]]) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about duplicate names
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in members:
                zf.writestr(name, data)
    return path


def _resigned(
    members: Members, change: Callable[[dict[str, object]], None], key: Ed25519PrivateKey | None
) -> Members:
    """The members with the manifest changed and signed again (by `key`, else Aung's)."""
    manifest = json.loads(members[spec.MANIFEST])
    change(manifest)
    body = spec.canonical(manifest)
    out = dict(members)
    out[spec.MANIFEST] = body
    out[spec.SIGNATURE] = key.sign(body) if key is not None else keys.sign(body)
    return out


def _refused_and_untouched(person: Person, bundle: Path, reason: str) -> None:
    """The bundle is refused for `reason` and Hla's archive is exactly as it was."""
    person.me()
    verdict = verify_bundle(bundle)
    assert not verdict.ok and reason.lower() in verdict.reason.lower(), verdict.reason
    with person.acting() as archive:
        before = dump(archive)
        with pytest.raises(BundleRefused):
            import_bundle(archive, bundle)
        assert dump(archive) == before


CASES: dict[str, Callable[[Members, Path], list[tuple[str | zipfile.ZipInfo, bytes]]]] = {
    "path traversal": lambda m, _: [*m.items(), ("../../evil.sh", b"rm -rf ~")],
    "absolute path": lambda m, _: [*m.items(), ("/etc/cron.d/evil", b"x")],
    "folder entry": lambda m, _: [*m.items(), ("articles/", b"")],
    "unknown member": lambda m, _: [*m.items(), ("notes.txt", b"x")],
    "duplicate name": lambda m, _: [*m.items(), (spec.ENTITIES, b"[]")],
}


def _symlink() -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(spec.ENTITIES)
    info.external_attr = 0o120777 << 16
    return info


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("path traversal", "not part of the bundle format"),
        ("absolute path", "not part of the bundle format"),
        ("folder entry", "not part of the bundle format"),
        ("unknown member", "not part of the bundle format"),
        ("duplicate name", "appears twice"),
    ],
)
def test_bad_member_names_are_refused(
    good: tuple[Path, Members, Person],
    people: tuple[Person, Person],
    tmp_path: Path,
    case: str,
    reason: str,
) -> None:
    _, members, _ = good
    bad = _write(tmp_path / "bad.sesame", CASES[case](members, tmp_path))
    _refused_and_untouched(people[1], bad, reason)


def test_a_symlink_member_is_refused(
    good: tuple[Path, Members, Person], people: tuple[Person, Person], tmp_path: Path
) -> None:
    _, members, _ = good
    rest = [(n, d) for n, d in members.items() if n != spec.ENTITIES]
    bad = _write(tmp_path / "bad.sesame", [*rest, (_symlink(), b"/etc/passwd")])
    _refused_and_untouched(people[1], bad, "symbolic link")


def test_a_zip_bomb_is_refused_before_it_is_expanded(
    good: tuple[Path, Members, Person], people: tuple[Person, Person], tmp_path: Path
) -> None:
    _, members, _ = good
    zeros = b"\0" * (20 << 20)  # 20 MiB that deflate to ~20 KB
    bad = _write(tmp_path / "bomb.sesame", [*members.items(), (f"originals/{'0' * 64}", zeros)])
    _refused_and_untouched(people[1], bad, "zip bomb")


def test_members_missing_from_or_added_to_the_manifest(
    good: tuple[Path, Members, Person], people: tuple[Person, Person], tmp_path: Path
) -> None:
    _, members, _ = good
    article = next(n for n in members if n.startswith("articles/"))
    missing = _write(tmp_path / "m.sesame", [(n, d) for n, d in members.items() if n != article])
    _refused_and_untouched(people[1], missing, "listed in the manifest is missing")
    extra_name = f"originals/{hashlib.sha256(b'extra').hexdigest()}"
    extra = _write(tmp_path / "e.sesame", [*members.items(), (extra_name, b"extra")])
    _refused_and_untouched(people[1], extra, "not in the manifest")


def test_a_changed_member_and_a_changed_manifest(
    good: tuple[Path, Members, Person], people: tuple[Person, Person], tmp_path: Path
) -> None:
    _, members, _ = good
    changed = dict(members)
    changed[spec.ENTITIES] = members[spec.ENTITIES].replace(b"Hnin Wai", b"Hnin Way")
    _refused_and_untouched(
        people[1], _write(tmp_path / "c.sesame", list(changed.items())), "sha-256 differs"
    )
    forged = dict(members)
    forged[spec.MANIFEST] = members[spec.MANIFEST].replace(b'"Aung"', b'"Mallory"')
    _refused_and_untouched(
        people[1], _write(tmp_path / "f.sesame", list(forged.items())), "signature does not hold"
    )


def test_a_valid_signature_by_another_key_than_the_one_named(
    good: tuple[Path, Members, Person], people: tuple[Person, Person], tmp_path: Path
) -> None:
    _, members, aung = good
    aung.me()
    mallory = Ed25519PrivateKey.generate()
    resigned = _resigned(members, lambda m: None, mallory)
    _refused_and_untouched(
        people[1], _write(tmp_path / "s.sesame", list(resigned.items())), "signature does not hold"
    )


def test_a_bundle_from_a_newer_version(
    good: tuple[Path, Members, Person], people: tuple[Person, Person], tmp_path: Path
) -> None:
    _, members, aung = good
    aung.me()
    newer = _resigned(members, lambda m: m.update(version=spec.VERSION + 1), None)
    _refused_and_untouched(
        people[1], _write(tmp_path / "n.sesame", list(newer.items())), "newer version of sesame"
    )


def test_truncated_and_not_a_bundle(
    good: tuple[Path, Members, Person], people: tuple[Person, Person], tmp_path: Path
) -> None:
    path, _, _ = good
    data = path.read_bytes()
    for n, cut in enumerate((len(data) // 2, len(data) - 10, 5)):
        short = tmp_path / f"t{n}.sesame"
        short.write_bytes(data[:cut])
        _refused_and_untouched(people[1], short, "")
    text = tmp_path / "notes.sesame"
    text.write_text("hello")
    _refused_and_untouched(people[1], text, "not a sesame bundle")


def test_a_wrong_passphrase_leaves_the_archive_as_it_was(
    people: tuple[Person, Person], tmp_path: Path
) -> None:
    aung, hla = people
    with aung.acting() as a:
        add_report(a)
        export_bundle(a, tmp_path / "p.sesame", passphrase="the right one")
    hla.me()
    with hla.acting() as b:
        before = dump(b)
        with pytest.raises(BundleRefused, match="wrong passphrase"):
            import_bundle(b, tmp_path / "p.sesame", passphrase="wrong")
        assert dump(b) == before


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_single_byte_change_is_refused_or_harmless(
    good: tuple[Path, Members, Person], tmp_path: Path, data: st.DataObject
) -> None:
    path, _, _ = good
    original = open_bundle(path)
    blob = bytearray(path.read_bytes())
    at = data.draw(st.integers(0, len(blob) - 1), label="position")
    new = data.draw(st.integers(0, 255).filter(lambda b: b != blob[at]), label="byte")
    blob[at] = new
    bad = tmp_path / "flip.sesame"
    bad.write_bytes(bytes(blob))
    try:
        opened = open_bundle(bad)
    except BundleRefused:
        return
    # Only bytes no hash covers changed (zip bookkeeping): the content is identical.
    assert opened.manifest == original.manifest
    assert opened.articles == original.articles and opened.originals == original.originals
    assert opened.annotations == original.annotations and opened.entities == original.entities


def _signed_with(members: Members, name: str, data: bytes) -> Members:
    """Members with `name` replaced and the manifest hashed and signed again (Aung's key)."""
    out = dict(members)
    out[name] = data

    def rehash(manifest: dict[str, object]) -> None:
        listed = dict(manifest["members"])  # type: ignore[call-overload]
        listed[name] = hashlib.sha256(data).hexdigest()
        manifest["members"] = listed

    return _resigned(out, rehash, None)


def test_a_signed_bundle_that_does_not_fit_together_is_refused(
    good: tuple[Path, Members, Person], people: tuple[Person, Person], tmp_path: Path
) -> None:
    _, members, aung = good
    aung.me()
    doc = json.loads(members[spec.ANNOTATIONS])
    doc["items"][0]["body"][0]["value"] = "weapon"  # a tag type the bundle does not hold
    odd = _signed_with(members, spec.ANNOTATIONS, spec.canonical(doc))
    _refused_and_untouched(
        people[1], _write(tmp_path / "t.sesame", list(odd.items())), "no tag type"
    )
    aung.me()  # signing again as Aung
    doc = json.loads(members[spec.ANNOTATIONS])
    doc["items"].append(doc["items"][0])
    twice = _signed_with(members, spec.ANNOTATIONS, spec.canonical(doc))
    _refused_and_untouched(
        people[1], _write(tmp_path / "d.sesame", list(twice.items())), "appears twice"
    )


def test_streamed_members_refuse_what_json_loads_would(
    good: tuple[Path, Members, Person], people: tuple[Person, Person], tmp_path: Path
) -> None:
    """annotations.jsonld and audit.json are read one entry at a time: a key given twice
    inside an entry, a broken frame, or extra bytes after it are refused all the same
    (each signed properly, so only the reading can catch them)."""
    _, members, aung = good
    text = members[spec.ANNOTATIONS].decode("utf-8")
    cases = [
        (spec.ANNOTATIONS, text.replace('"type":"Annotation"', '"type":"Annotation","id":"x"', 1),
         "appears twice"),
        (spec.ANNOTATIONS, text + " {}", "not valid JSON"),
        (spec.ANNOTATIONS, text[:-2], "not valid JSON"),
        (spec.AUDIT, members[spec.AUDIT].decode("utf-8").replace("[", "[1,", 1), "does not match"),
        (spec.AUDIT, '{"items": []}', "does not match"),
    ]  # fmt: skip
    for n, (name, bad, reason) in enumerate(cases):
        aung.me()
        signed = _signed_with(members, name, bad.encode("utf-8"))
        path = _write(tmp_path / f"s{n}.sesame", list(signed.items()))
        _refused_and_untouched(people[1], path, reason)
