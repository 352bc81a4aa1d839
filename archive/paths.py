"""Where Sesame keeps things on disk, making a file or folder durable there, and
making a file once (exclusive create: the identity, the keys).

Locations come from platformdirs; each has an environment override so that
tests (and careful users) never touch the real user's folders. platformdirs is
imported only when a location is asked for without its override (~15 ms of a
command's start-up that names its archive, `python -X importtime`).
"""

import contextlib
import os
import tempfile
from pathlib import Path

APP_NAME = "sesame"

ENV_ARCHIVE = "SESAME_ARCHIVE"
ENV_CONFIG_DIR = "SESAME_CONFIG_DIR"


def default_archive_dir() -> Path:
    """The archive used when no `--archive DIR` is given."""
    override = os.environ.get(ENV_ARCHIVE)
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "default"


def config_dir() -> Path:
    """The user's config folder: identity (and later private keys), GUI settings."""
    override = os.environ.get(ENV_CONFIG_DIR)
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def fsync_path(path: Path) -> None:
    """Flush a file's or a folder's entry to disk (a folder: the renames made in it)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def create_exclusive(path: Path, data: bytes, *, private_folder: bool = False) -> bytes:
    """Make `path` holding `data`, readable by its owner only (0600 from the first byte),
    unless it exists; return what the file holds afterwards.

    The file appears whole or not at all (written to a temp file of its own beside it,
    fsync'd, then hard-linked: a link never replaces a file). Another thread or process
    making the same file at the same moment (the window's writer and an import's
    process, both on first use) may have won: theirs stays, and its content is what is
    returned, so there is never a second identity or key that was used and lost.
    `private_folder`: the folder is made 0700 too (the keys' folder).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if private_folder:
        os.chmod(path.parent, 0o700)
    fd, name = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".tmp", dir=path.parent)
    tmp = Path(name)  # mkstemp: 0600, a name of its own
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(tmp, path)  # fails if the file exists
        except FileExistsError:
            pass
        except OSError:  # no hard links on this file system (FAT): a rename, if still free
            if not path.exists():
                os.replace(tmp, path)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
    return path.read_bytes()
