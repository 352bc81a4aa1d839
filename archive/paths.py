"""Where Sesame keeps things on disk, and making a file or folder durable there.

Locations come from platformdirs; each has an environment override so that
tests (and careful users) never touch the real user's folders. platformdirs is
imported only when a location is asked for without its override (~15 ms of a
command's start-up that names its archive, `python -X importtime`).
"""

import os
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
