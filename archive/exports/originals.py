"""The exact bytes an article was imported from, saved back out (chain of custody).

The bytes are read from the archive, their SHA-256 and size checked
against the record before anything is written (a mismatch is refused, with
nothing written), and written atomically.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from archive import models
from archive.errors import NotFound, SesameError
from archive.exports.files import atomic_file, output_path
from archive.store import Archive


class OriginalDamaged(SesameError):
    """The stored bytes no longer hash to the recorded SHA-256 (exit status 1)."""


@dataclass
class SavedOriginal:
    """What `save_original` wrote."""

    path: str
    article_id: str
    sha256: str
    size: int
    media_type: str
    first_name: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (`sesame original --json`)."""
        return asdict(self)


def original_name(archive: Archive, article_id: str) -> str | None:
    """The file name the article's original was first imported from; None if it has none."""
    with archive.session() as session:
        article = session.get(models.Article, article_id)
        if article is None or not article.original_sha256:
            return None
        orig = session.get(models.Original, article.original_sha256)
        if orig is None:
            return None
        return orig.first_name or f"original-{orig.sha256[:12]}"


def save_original(archive: Archive, article_id: str, out: str | Path) -> SavedOriginal:
    """Write the exact bytes `article_id` was imported from to OUT, checked first."""
    path = output_path(out, "original.html")
    with archive.session() as session:
        article = session.get(models.Article, article_id)
        if article is None:
            raise NotFound(f"No article with id {article_id}. `sesame list` shows the ids.")
        if not article.original_sha256:
            raise NotFound(
                f"The article {article_id[:8]} has no original file (it came as text, "
                "or in a bundle that left its original out)."
            )
        orig = session.get(models.Original, article.original_sha256)
        if orig is None:
            raise OriginalDamaged(
                f"The original of article {article_id[:8]} is missing from the archive "
                f"(SHA-256 {article.original_sha256}). Nothing was written."
            )
        data = bytes(orig.data)
        digest = hashlib.sha256(data).hexdigest()
        if digest != article.original_sha256 or len(data) != orig.size:
            raise OriginalDamaged(
                f"The stored original of article {article_id[:8]} does not match its record "
                f"(SHA-256 {digest}, {len(data)} bytes; recorded {article.original_sha256}, "
                f"{orig.size} bytes). Nothing was written; `sesame audit verify` checks the log."
            )
        saved = SavedOriginal(
            str(path), article.id, digest, len(data), orig.media_type, orig.first_name
        )
    with atomic_file(path) as tmp:
        tmp.write_bytes(data)
    return saved
