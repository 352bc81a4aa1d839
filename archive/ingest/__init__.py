"""Import of articles from files: one module per format (issue 2).

    from archive.ingest import import_paths
    report = import_paths(archive, ["notes.txt", "folder/"], collection="Case A")

`import_paths` gives every file a result (imported, duplicate or failed with
a reason); `ImportReport.to_json()` is what `sesame import --json` prints.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from archive.ingest.errors import UnreadableFile
    from archive.ingest.parsed import Attachment, ParsedArticle
    from archive.ingest.pipeline import (
        DEFAULT_MAX_BYTES,
        Duplicate,
        Failure,
        ImportedItem,
        ImportReport,
        import_paths,
    )
    from archive.ingest.readers import READERS, SUPPORTED_EXTENSIONS

# Loaded on first use (PEP 562): the worker that reads untrusted files
# (archive.ingest.sandbox) imports the readers only, not the pipeline, the
# database layer and near-duplicate detection (3x faster to start).
_WHERE = {
    "UnreadableFile": "errors",
    "Attachment": "parsed",
    "ParsedArticle": "parsed",
    "DEFAULT_MAX_BYTES": "pipeline",
    "Duplicate": "pipeline",
    "Failure": "pipeline",
    "ImportedItem": "pipeline",
    "ImportReport": "pipeline",
    "import_paths": "pipeline",
    "READERS": "readers",
    "SUPPORTED_EXTENSIONS": "readers",
}


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'archive.ingest' has no attribute {name!r}")
    return getattr(import_module(f"archive.ingest.{_WHERE[name]}"), name)


__all__ = [
    "DEFAULT_MAX_BYTES",
    "READERS",
    "SUPPORTED_EXTENSIONS",
    "Attachment",
    "Duplicate",
    "Failure",
    "ImportReport",
    "ImportedItem",
    "ParsedArticle",
    "UnreadableFile",
    "import_paths",
]
