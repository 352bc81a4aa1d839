"""An archive to export: an English and a Burmese article with originals, tags of every kind."""

from __future__ import annotations

import pytest

from archive import collections
from archive.store import Archive
from tests.archive.bundles.conftest import add_report, tag
from tests.archive.conftest import REPORT

BURMESE = "ရန်ကုန်တွင် ရဲတပ်ဖွဲ့ဝင် ၆၀၀ ကျော် သပိတ်မှောက်ခဲ့ကြသည်။ 😀 ဒေါ်ခင်ခင် က ပြောသည်။\n"


@pytest.fixture
def filled(archive: Archive) -> dict[str, str]:
    """Two articles (the Burmese one in collection "Case"), five annotations; their ids."""
    first = add_report(archive)
    second = add_report(archive, BURMESE, title="ရန်ကုန် သပိတ်")
    ids = {"first": first, "second": second}
    ids["hnin"] = tag(archive, first, "Daw Hnin Wai", entity_name="Hnin Wai", note="=witness")
    ids["nurses"] = tag(archive, first, "More than 250 nurses", "figure", entity_name="Strikers")
    ids["raid"] = tag(archive, first, "raided the general hospital", "event")
    ids["police"] = tag(archive, second, "ရဲတပ်ဖွဲ့ဝင် ၆၀၀ ကျော်", "figure", entity_name="Strikers")
    ids["khin"] = tag(archive, second, "ဒေါ်ခင်ခင်", entity_name="ဒေါ်ခင်ခင်")
    collections.create_collection(archive, "Case")
    collections.add_articles(archive, "Case", [second])
    return ids


__all__ = ["BURMESE", "REPORT", "filled"]
