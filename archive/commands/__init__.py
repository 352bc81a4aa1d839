"""The subcommands of `sesame`, one module per area (registered, in `sesame --help`'s
order, by `archive.cli.build_parser`, which imports each by name).

Each module defines `register_commands(add)`, where `add(name, func, help)`
(`archive.cli.AddCommand`) returns the new subcommand's ArgumentParser and
`func(args, out)` runs it. A module imports only light modules at its top
(argparse, `archive.cli`, `archive.errors`): `sesame --help` builds every
parser, and must not wait for SQLAlchemy or the search engine (see
`archive.cli`). Heavy imports go inside the `cmd_*` functions, or through
`Deferred`.
"""

import importlib
from typing import Any


class Deferred:
    """A module imported at its first attribute access: `suggest = Deferred("archive.suggest")`.

    For a command module whose `cmd_*` functions use heavy modules by name:
    the module is imported (once; `importlib` caches it) when a command runs,
    not when `sesame --help` builds the parsers.
    """

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        return getattr(importlib.import_module(self._name), attr)
