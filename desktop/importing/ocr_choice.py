"""The OCR language choice of File → Import options… (issue 14).

Which languages Tesseract reads scans and images in: "Automatic" (the
archive's own languages, else English: `archive.ingest.ocr.archive_languages`)
or one of the installed languages, alone or with English. Kept in the
settings (`OCR_LANGUAGES`; empty means automatic) and used by every import
the window starts.
"""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QWidget

from archive.ingest import ocr
from desktop import settings as st

# Names for the languages documenters meet most; any other shows its code.
NAMES = {
    "eng": "English",
    "mya": "Burmese",
    "tha": "Thai",
    "chi_sim": "Chinese (simplified)",
    "chi_tra": "Chinese (traditional)",
    "ara": "Arabic",
    "fra": "French",
    "spa": "Spanish",
    "rus": "Russian",
    "ukr": "Ukrainian",
    "hin": "Hindi",
    "ben": "Bengali",
    "khm": "Khmer",
    "lao": "Lao",
    "vie": "Vietnamese",
    "ind": "Indonesian",
}


def language_name(spec: str) -> str:
    """ "eng+mya" -> "English + Burmese (eng+mya)"."""
    codes = spec.split("+")
    return " + ".join(NAMES.get(code, code) for code in codes) + f" ({spec})"


def choices(installed: frozenset[str]) -> list[str]:
    """The language specs offered: each language, then each with English ("" is automatic)."""
    codes = sorted(installed, key=lambda code: (code != "eng", code != "mya", code))
    offered = ["", *codes]
    if "eng" in installed:
        offered += [f"eng+{code}" for code in codes if code != "eng"]
    return offered


class OcrLanguageChoice(QComboBox):
    """A combo box of OCR languages, saved to the settings by `save()`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ocrLanguages")
        self.prefs = st.Settings()
        current = self.prefs.get(st.OCR_LANGUAGES)
        try:
            installed = ocr.installed_languages()
        except ocr.OcrUnavailable:
            installed = frozenset()
        self.addItem(self.tr("Automatic: the archive's languages, else English"), "")
        for spec in choices(installed)[1:]:
            self.addItem(language_name(spec), spec)
        if current and self.findData(current) < 0:
            self.addItem(language_name(current), current)  # saved, no longer installed
        self.setCurrentIndex(max(self.findData(current), 0))
        if not installed:
            self.setEnabled(False)
            self.setToolTip(
                self.tr(
                    "Tesseract OCR is not installed: scans and images cannot be read "
                    "(install tesseract-ocr with its language packages, or run make sysdeps)"
                )
            )
        else:
            self.setToolTip(self.tr("The languages of the text in scanned PDFs and images"))

    def languages(self) -> str:
        """The chosen spec ("" for automatic)."""
        return str(self.currentData() or "")

    def save(self) -> None:
        self.prefs.set(st.OCR_LANGUAGES, self.languages())
