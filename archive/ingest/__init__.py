"""Import of articles from files: one module per format (issue 2).

    from archive.ingest import import_paths
    report = import_paths(archive, ["notes.txt", "folder/"], collection="Case A")

`import_paths` gives every file a result (imported, duplicate or failed with
a reason); `ImportReport.to_json()` is what `sesame import --json` prints.
"""

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
