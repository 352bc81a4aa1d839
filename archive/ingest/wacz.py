"""Web archive collections (.wacz): a zip of WARC files with a page list.

A WACZ (the format of Webrecorder, Browsertrix and Bellingcat's
auto-archiver) holds its captures as WARC files under `archive/`, its pages
in `pages/pages.jsonl` and a `datapackage.json` naming the software and the
SHA-256 of every file. Each WARC is read by `archive.ingest.warc`, so each
captured HTML page becomes an article whose original is its WARC record;
pages.jsonl gives a page its title where the page has none, and a WARC file
whose bytes do not match the datapackage's hash fails with its pages.

The zip is bounded like a bundle's (`archive/bundles/reader.py`): members,
declared and actual sizes, and the expansion ratio, before anything is inflated.
"""

from __future__ import annotations

import hashlib
import io
import json
import stat
import zipfile
import zlib
from typing import Any

from archive.ingest.errors import UnreadableFile
from archive.ingest.parsed import ParsedArticle, ReadArticles
from archive.ingest.warc import read_warc_bytes

MAX_MEMBERS = 10_000
MAX_MEMBER_BYTES = 1 << 30  # one WARC inside, inflated
MAX_TOTAL_BYTES = 2 << 30  # all the WARCs and JSON read, inflated
# ... and at most this many times the WACZ's own size (WARCs inside a WACZ are
# stored, already gzipped: a legitimate one inflates about 1x), with this floor.
MAX_EXPANSION = 10
EXPANSION_FLOOR = 256 << 20
MAX_JSON_BYTES = 64 << 20  # pages.jsonl, datapackage.json
MAX_RATIO = 200  # inflated / compressed, for members over RATIO_FLOOR bytes
RATIO_FLOOR = 1 << 20

# What zipfile raises on a damaged or unsupported member (a method, a flag, a bad CRC).
_DAMAGE = (zipfile.BadZipFile, NotImplementedError, EOFError, OSError, ValueError, zlib.error)
_PAGES = ("pages/pages.jsonl", "pages/extraPages.jsonl")
_DATAPACKAGE = "datapackage.json"


def _refused(reason: str) -> UnreadableFile:
    return UnreadableFile(f"this WACZ file was not read: {reason}")


def _members(zf: zipfile.ZipFile, size: int) -> list[zipfile.ZipInfo]:
    infos = zf.infolist()
    budget = min(MAX_TOTAL_BYTES, max(EXPANSION_FLOOR, MAX_EXPANSION * size))
    if len(infos) > MAX_MEMBERS:
        raise _refused(f"it has {len(infos):,} files inside; at most {MAX_MEMBERS:,}")
    total = 0
    for info in infos:
        if stat.S_ISLNK(info.external_attr >> 16):
            raise _refused(f"{info.filename[:120]!r} inside it is a symbolic link")
        if info.flag_bits & 0x1:
            raise _refused(f"{info.filename[:120]!r} inside it is encrypted")
        if info.file_size > MAX_MEMBER_BYTES:
            raise _refused(f"{info.filename[:120]!r} inside it is too large")
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise _refused(
                f"{info.filename[:120]!r} inside it expands "
                f"{info.file_size // max(info.compress_size, 1):,} times (a zip bomb?); "
                f"at most {MAX_RATIO}"
            )
        total += info.file_size
        if total > budget:
            raise _refused(
                f"its files add up to more than {budget >> 20} MB once inflated "
                f"({MAX_EXPANSION} times its size, at least {EXPANSION_FLOOR >> 20} MB)"
            )
    return infos


def _read(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """A member's bytes, never more than it declares (a lying header is refused)."""
    cap = min(info.file_size, limit)
    try:
        with zf.open(info) as member:
            data = member.read(cap + 1)
    except _DAMAGE as exc:
        raise _refused(f"{info.filename[:120]!r} inside it is damaged ({exc})") from exc
    if len(data) > cap:
        raise _refused(f"{info.filename[:120]!r} inside it is larger than it says")
    return data


def _json_lines(data: bytes) -> list[dict[str, Any]]:
    rows = []
    for line in data.decode("utf-8", "replace").splitlines():
        try:
            row = json.loads(line)
        except ValueError:
            continue
        if isinstance(row, dict):
            rows.append(row)
    return rows


def _datapackage(zf: zipfile.ZipFile, by_name: dict[str, zipfile.ZipInfo]) -> dict[str, Any]:
    info = by_name.get(_DATAPACKAGE)
    if info is None:
        return {}
    try:
        value = json.loads(_read(zf, info, MAX_JSON_BYTES))
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _hashes(package: dict[str, Any]) -> dict[str, str]:
    """path -> "sha256:hex" from the datapackage's resources."""
    out: dict[str, str] = {}
    resources = package.get("resources")
    if isinstance(resources, list):
        for res in resources:
            if isinstance(res, dict) and isinstance(res.get("path"), str):
                digest = res.get("hash")
                if isinstance(digest, str) and digest.startswith("sha256:"):
                    out[res["path"]] = digest.lower()
    return out


def read_wacz(data: bytes, name: str) -> list[ParsedArticle]:
    """Every captured HTML page of a WACZ file, as articles (their originals: WARC records)."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = _members(zf, len(data))
    except (zipfile.LargeZipFile, *_DAMAGE) as exc:
        raise UnreadableFile(
            "not a valid WACZ file (it is not a readable zip); if it was cut short in a "
            "download or copy, take it again from its source"
        ) from exc
    with zf:
        by_name = {info.filename: info for info in infos}
        warcs = [
            info
            for info in infos
            if info.filename.startswith("archive/")
            and info.filename.lower().endswith((".warc", ".warc.gz"))
            and not info.is_dir()
        ]
        if not warcs:
            raise UnreadableFile(
                "no WARC files under archive/ in this WACZ file: it holds no captures"
            )
        package = _datapackage(zf, by_name)
        hashes = _hashes(package)
        titles: dict[str, str] = {}
        for pages in _PAGES:
            if pages in by_name:
                for row in _json_lines(_read(zf, by_name[pages], MAX_JSON_BYTES)):
                    url, title = row.get("url"), row.get("title")
                    if isinstance(url, str) and isinstance(title, str) and title.strip():
                        titles.setdefault(url, " ".join(title.split())[:300])
        software = package.get("software")
        result = ReadArticles()
        for info in warcs:
            try:
                raw = _read(zf, info, MAX_MEMBER_BYTES)
            except UnreadableFile as exc:
                result.failures.append((info.filename, str(exc)))
                continue
            expected = hashes.get(info.filename)
            if expected and expected != "sha256:" + hashlib.sha256(raw).hexdigest():
                result.failures.append(
                    (
                        info.filename,
                        "its bytes do not match the SHA-256 in datapackage.json: changed or "
                        "damaged after capture, so its pages were not imported",
                    )
                )
                continue
            try:
                part = read_warc_bytes(raw, name, container=info.filename, titles=titles)
            except UnreadableFile as exc:
                result.notes.append(f"{info.filename}: {exc}")
                continue
            for article in part:
                article.meta["capture"]["format"] = "WACZ"
                if article.collected_with is None and isinstance(software, str) and software:
                    article.collected_with = " ".join(software.split())[:200]
            result.extend(part)
            result.failures.extend((f"{info.filename}#{p}", e) for p, e in part.failures)
            result.known.extend(part.known)
            result.notes.extend(f"{info.filename}: {n}" for n in part.notes)
    if not result and not result.failures and not result.known:
        raise UnreadableFile(
            "no captured HTML pages in this WACZ file"
            + (f" ({'; '.join(result.notes)})" if result.notes else "")
        )
    return result
