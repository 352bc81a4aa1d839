"""`sesame import` and `sesame collections` through archive.cli.main."""

from __future__ import annotations

import io
import json
from pathlib import Path

from archive.cli import main
from tests.archive.ingest.samples import ARTICLE


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_import_json_shape_and_exit_codes(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "teachers.md").write_text(ARTICLE, encoding="utf-8")
    arch = str(tmp_path / "arch")

    code, out, err = run("--archive", arch, "import", str(src), "--json", "--no-index")
    assert code == 0, err
    doc = json.loads(out)
    assert set(doc) == {"imported", "duplicates", "failed"}
    [item] = doc["imported"]
    assert set(item) == {"id", "title", "path"}
    assert item["title"] == "Teachers march in the river town"

    (src / "empty.txt").write_bytes(b"")
    code, out, _ = run("--archive", arch, "import", str(src), "--json", "--no-index")
    assert code == 1
    doc = json.loads(out)
    assert doc["imported"] == []
    assert doc["duplicates"] == [{"path": str(src / "teachers.md"), "id": item["id"]}]
    assert doc["failed"] == [{"path": str(src / "empty.txt"), "error": "empty file (0 bytes)"}]

    code, out, _ = run("--archive", arch, "list", "--json")
    assert code == 0
    [row] = json.loads(out)
    assert row["published"] == "2022-04-12"
    assert row["url"] == "https://courier.example.org/2022/04/teachers-march"


def test_import_text_output_names_each_failure(tmp_path: Path) -> None:
    (tmp_path / "notes.xyz").write_text("hello", encoding="utf-8")
    (tmp_path / "ok.txt").write_text("A title\n\nSome body text here.", encoding="utf-8")
    code, out, _ = run("--archive", str(tmp_path / "arch"), "import", str(tmp_path), "--no-index")
    assert code == 1
    assert "Imported 1 article(s) from 1 file(s)" in out
    # The name is quoted (a name holding a newline cannot forge a line of the report).
    assert f"{json.dumps(str(tmp_path / 'notes.xyz'))}: unsupported file type '.xyz'" in out


def test_import_creates_the_archive_and_fills_a_collection(tmp_path: Path) -> None:
    (tmp_path / "ok.txt").write_text("A title\n\nSome body text here.", encoding="utf-8")
    arch = tmp_path / "new" / "arch"
    code, _, err = run(
        "--archive", str(arch), "import", str(tmp_path / "ok.txt"), "--collection", "Case A",
        "--no-index",
    )  # fmt: skip
    assert code == 0, err
    assert (arch / "archive.sqlite").exists()
    code, out, _ = run("--archive", str(arch), "collections", "--json")
    assert code == 0
    assert [(c["name"], c["articles"]) for c in json.loads(out)] == [("Case A", 1)]
    code, out, _ = run("--archive", str(arch), "list", "--collection", "Case A", "--json")
    assert len(json.loads(out)) == 1


def test_max_size_option(tmp_path: Path) -> None:
    (tmp_path / "big.txt").write_text("word " * 300_000, encoding="utf-8")
    code, out, _ = run(
        "--archive", str(tmp_path / "arch"), "import", str(tmp_path / "big.txt"),
        "--max-size", "1", "--json", "--no-index",
    )  # fmt: skip
    assert code == 1
    assert "limit of 1.0 MB" in json.loads(out)["failed"][0]["error"]
    code, _, _ = run(
        "--archive", str(tmp_path / "arch"), "import", str(tmp_path), "--max-size", "-3"
    )
    assert code == 2


def test_collections_commands(tmp_path: Path) -> None:
    arch = str(tmp_path / "arch")
    (tmp_path / "ok.txt").write_text("A title\n\nSome body text here.", encoding="utf-8")
    _, out, _ = run("--archive", arch, "import", str(tmp_path / "ok.txt"), "--json", "--no-index")
    article_id = json.loads(out)["imported"][0]["id"]

    assert run("--archive", arch, "collections", "create", "Case B")[0] == 0
    assert run("--archive", arch, "collections", "create", "case b")[0] == 1  # taken
    assert run("--archive", arch, "collections", "add", "Case B", article_id[:8])[0] == 0
    assert run("--archive", arch, "collections", "rename", "Case B", "Case C")[0] == 0
    _, out, _ = run("--archive", arch, "collections", "--json")
    assert [(c["name"], c["articles"]) for c in json.loads(out)] == [("Case C", 1)]
    assert run("--archive", arch, "collections", "remove", "Case C", article_id)[0] == 0
    assert run("--archive", arch, "collections", "delete", "Case C")[0] == 0
    _, out, _ = run("--archive", arch, "collections", "--json")
    assert json.loads(out) == []
    assert run("--archive", arch, "collections", "rename", "Nope")[0] == 2


def test_importing_only_missing_paths_makes_no_archive(tmp_path: Path) -> None:
    arch = tmp_path / "arch"
    code, _, err = run("--archive", str(arch), "import", str(tmp_path / "no-such-file.txt"))
    assert code == 2 and "no such file or folder" in err and "No archive was made" in err
    assert not arch.exists()
