"""The index's storage seam: a sealed index holds no plain term and behaves as a plain one."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import fields
from whoosh.filedb.filestore import FileStorage
from whoosh.qparser import QueryParser

from archive import encryption
from archive.search.storage import MAGIC, SealedStorage, SealError, index_storage
from archive.store import Archive

KEY = bytes(range(32))


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def test_a_sealed_index_is_searchable_and_holds_no_plain_term(tmp_path: Path) -> None:
    schema = fields.Schema(id=fields.ID(stored=True), body=fields.TEXT)
    storage = SealedStorage(str(tmp_path / "ix"), KEY).create()
    ix = storage.create_index(schema)
    writer = ix.writer(procs=2, limitmb=1, multisegment=True)  # forked writers, spilled runs
    for n in range(300):
        writer.add_document(id=str(n), body=f"zorblaxian number{n} ရန်ကုန်")
    writer.commit()
    for path in _files(tmp_path / "ix"):
        data = path.read_bytes()
        assert b"zorblaxian" not in data and "ရန်ကုန်".encode() not in data
        assert not data or data.startswith(MAGIC), path.name
    assert not [p for p in (tmp_path / "ix").iterdir() if p.is_dir()], "temp folders left"
    reopened = SealedStorage(str(tmp_path / "ix"), KEY).open_index()
    with reopened.searcher() as searcher:
        hits = searcher.search(QueryParser("body", schema).parse("zorblaxian"), limit=None)
        assert len(hits) == 300


def test_a_sealed_file_under_another_key_or_changed_does_not_open(tmp_path: Path) -> None:
    storage = SealedStorage(str(tmp_path), KEY)
    with storage.create_file("f") as f:
        f.write(b"secret words")
    other = SealedStorage(str(tmp_path), bytes(32))
    with pytest.raises(SealError):
        other.open_file("f")
    data = bytearray((tmp_path / "f").read_bytes())
    data[-1] ^= 1
    (tmp_path / "f").write_bytes(bytes(data))
    with pytest.raises(SealError):
        SealedStorage(str(tmp_path), KEY).open_file("f")


@settings(max_examples=25, deadline=None)
@given(st.binary(max_size=5000))
def test_sealing_round_trips_any_bytes(
    tmp_path_factory: pytest.TempPathFactory, data: bytes
) -> None:
    folder = tmp_path_factory.mktemp("seal")
    storage = SealedStorage(str(folder), KEY)
    with storage.create_file("x") as f:
        f.write(data)
    fresh = SealedStorage(str(folder), KEY)
    assert fresh.file_length("x") == len(data)
    assert bytes(fresh.open_file("x").read()) == data
    assert os.path.getsize(folder / "x") == len(data) + 33


def test_plain_archives_keep_whooshs_file_storage(tmp_path: Path) -> None:
    encryption_kdf = encryption.KdfParams(iterations=1, lanes=1, memory_cost_kib=64)
    with Archive.open(tmp_path / "p", create=True) as plain:
        storage = index_storage(plain, plain.index_dir)
        assert type(storage) is FileStorage and storage.supports_mmap
    with Archive.open(
        tmp_path / "e", create=True, encrypt=True, passphrase="pw", kdf=encryption_kdf
    ) as enc:
        assert isinstance(index_storage(enc, enc.index_dir), SealedStorage)
