"""Whoosh loaded without three modules it imports and a search never uses (issue 15 item 5).

Measured with `python -X importtime -m archive.cli search`: of a cold search's
imports, `whoosh.compat` pulled in `urllib.request` (and with it http.client,
email and ssl: ~10 %) for `urlretrieve`, which nothing calls; `whoosh.reading`
imported the `cached_property` package for one property, and that package
imports asyncio (~7 %); `whoosh.query.terms` imported `whoosh.lang.morph_en`,
whose word tables take ~5 % to build, for the `Variations` query, which Sesame
does not use.

`install()` (run by `archive/search/__init__.py`, before any Whoosh module
loads) adds a finder for just those three Whoosh modules: each is executed from
its own compiled code as usual, except that its `import` statements get a
stand-in for the one module named above: `urlretrieve` and `variations` that
import the real function when first called, and the standard library's
`functools.cached_property` (the same caching for a plain property). Nothing
else changes, in Whoosh or in the process: other modules import the real ones,
and no entry of `sys.modules` is swapped (so a thread importing at the same
time cannot see a stand-in).
"""

from __future__ import annotations

import builtins
import functools
import importlib.machinery
import sys
from types import ModuleType, SimpleNamespace
from typing import Any


def _urlretrieve(*args: Any, **kwargs: Any) -> Any:
    from urllib.request import urlretrieve

    return urlretrieve(*args, **kwargs)


def _variations(word: str) -> Any:
    from whoosh.lang.morph_en import variations

    return variations(word)


# Whoosh module -> {module its imports name: the stand-in they get}.
STAND_INS: dict[str, dict[str, Any]] = {
    "whoosh.compat": {"urllib.request": SimpleNamespace(urlretrieve=_urlretrieve)},
    "whoosh.reading": {
        "cached_property": SimpleNamespace(cached_property=functools.cached_property)
    },
    "whoosh.query.terms": {"whoosh.lang.morph_en": SimpleNamespace(variations=_variations)},
}


class _Loader:
    """Runs a module's own code, its imports of `stand_ins` answered by the stand-ins."""

    def __init__(self, real: importlib.machinery.SourceFileLoader, stand_ins: dict[str, Any]):
        self.real = real
        self.stand_ins = stand_ins

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return None  # the default module

    def _import(
        self,
        name: str,
        globals: dict[str, Any] | None = None,
        locals: dict[str, Any] | None = None,
        fromlist: tuple[str, ...] | list[str] | None = (),
        level: int = 0,
    ) -> Any:
        if level == 0 and fromlist and name in self.stand_ins:
            return self.stand_ins[name]
        return builtins.__import__(name, globals, locals, fromlist or (), level)

    def exec_module(self, module: ModuleType) -> None:
        code = self.real.get_code(module.__name__)  # the .pyc, as the real loader uses
        if code is None:  # pragma: no cover  (a source file always compiles to code)
            raise ImportError(f"no code for {module.__name__}", name=module.__name__)
        namespace = module.__dict__
        namespace["__builtins__"] = dict(vars(builtins), __import__=self._import)
        exec(code, namespace)  # Whoosh's own module code, as its loader would run it


class _Finder:
    """A meta path finder for the modules of `STAND_INS` only."""

    @staticmethod
    def find_spec(
        fullname: str, path: Any = None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        stand_ins = STAND_INS.get(fullname)
        if stand_ins is None:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or not isinstance(spec.loader, importlib.machinery.SourceFileLoader):
            return spec  # installed some other way: load it as it is
        spec.loader = _Loader(spec.loader, stand_ins)  # type: ignore[assignment]
        return spec


_FINDER = _Finder()


def install() -> None:
    """Put the finder first on `sys.meta_path` (once); a Whoosh module already loaded
    stays as it is."""
    if _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)
