"""The bundle tests' people and articles live in tests/archive/conftest.py (the history
and custody tests exchange bundles too); imported from here by name as before."""

from tests.archive.conftest import Person, add_report, tag

__all__ = ["Person", "add_report", "tag"]
