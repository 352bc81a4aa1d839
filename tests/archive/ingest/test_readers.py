"""Each format reader on files the tests write themselves."""

from __future__ import annotations

import pytest

from archive.ingest import READERS, UnreadableFile
from archive.ingest.docx import read_docx
from archive.ingest.email import read_eml
from archive.ingest.html import read_html
from archive.ingest.pdf import NO_TEXT_LAYER, clean_layout, read_pdf
from archive.ingest.readers import MAIL_ATTACHMENTS, SUPPORTED_EXTENSIONS, read_text
from tests.archive.ingest.samples import ARTICLE, docx_bytes, eml_bytes, html_page, pdf_bytes

PARAGRAPHS = [
    "Farmers in the eastern valley said on Friday that the new dam had flooded more than "
    "forty hectares of rice fields, leaving dozens of families without a harvest this year.",
    "The provincial water authority denied that the reservoir had been filled early and said "
    "an inquiry would report within a month, according to a notice on its website.",
    "Residents have collected signatures from about 1,200 people asking for compensation.",
]


def test_plain_text_article_metadata() -> None:
    [article] = read_text(ARTICLE.encode("utf-8"), "teachers.md")
    assert article.title == "Teachers march in the river town"
    assert article.published == "2022-04-12"
    assert article.published_precision == "day"
    assert article.url == "https://courier.example.org/2022/04/teachers-march"
    assert article.source == "The Valley Courier"
    assert article.byline == "Mira Solano"
    assert "salaries that have not been paid" in article.text


def test_html_main_text_without_navigation_share_or_comments() -> None:
    page = html_page("Dam floods valley fields", PARAGRAPHS)
    [article] = read_html(page.encode("utf-8"), "dam.html")
    assert article.title == "Dam floods valley fields"
    assert "forty hectares of rice fields" in article.text
    assert "1,200 people" in article.text
    for junk in ("COMMENTJUNK", "FOOTERJUNK", "Share on Facebook", "Weather"):
        assert junk not in article.text
    assert article.source == "The Hill Gazette"
    assert article.byline == "Tomas Vale"
    assert article.published == "2023-07-14"
    assert article.url is not None and article.url.startswith("https://gazette.example.net/news/")
    assert article.language == "en"


def test_html_in_a_legacy_charset_is_decoded() -> None:
    page = html_page("Café owners protest", [p + " Crème brûlée." for p in PARAGRAPHS])
    data = page.replace('charset="utf-8"', 'charset="windows-1252"').encode("cp1252")
    [article] = read_html(data, "cafe.htm")
    assert article.title == "Café owners protest"
    assert "Crème brûlée" in article.text


def test_html_without_article_text_fails_clearly() -> None:
    with pytest.raises(UnreadableFile, match="no article text"):
        read_html(b"<html><head><script>var x = 1;</script></head><body></body></html>", "x.html")


def test_pdf_text_layer() -> None:
    data = pdf_bytes(
        [
            ["Water Authority Report", "Date first published: 3 May 2022", PARAGRAPHS[0][:80]],
            ["Second page text about the (reservoir) inquiry."],
        ]
    )
    [article] = read_pdf(data, "report.pdf")
    assert article.title == "Water Authority Report"
    assert article.published == "2022-05-03"
    assert "Second page text about the (reservoir) inquiry." in article.text
    assert article.meta["pages"] == 2


def test_pdf_title_from_document_info() -> None:
    data = pdf_bytes([["Some body text for the page."]], title="Annual Flood Review")
    assert read_pdf(data, "r.pdf")[0].title == "Annual Flood Review"


def test_pdf_creation_date_is_not_the_publication_date() -> None:
    # "Save as PDF" today of a 2021 article: the file's date says nothing of the article's.
    data = pdf_bytes([["Flood waters rose along the river."]], created="D:20261121093000")
    [article] = read_pdf(data, "saved.pdf")
    assert article.published is None
    assert article.meta["pdf_created"] == "2026-11-21"


def test_pdf_tabs_between_words_become_spaces() -> None:
    data = pdf_bytes([["River\tflood\t\tofficials said"]])
    [article] = read_pdf(data, "tabs.pdf")
    assert "River flood officials said" in article.text


def test_pdf_layout_ligatures_and_space_runs_are_undone() -> None:
    assert (
        clean_layout("River\t\ufb02ood \u00a0 o\ufb03cials\tsaid") == "River flood officials said"
    )
    assert clean_layout("line one\nline two") == "line one\nline two"


def test_scanned_pdf_has_no_text_layer() -> None:
    with pytest.raises(UnreadableFile) as info:
        read_pdf(pdf_bytes([[]]), "scan.pdf")
    assert str(info.value) == NO_TEXT_LAYER


def test_truncated_pdf_fails_clearly() -> None:
    data = pdf_bytes([["A page that will be cut off half way."]] * 3)
    with pytest.raises(UnreadableFile, match="incomplete"):
        read_pdf(data[: len(data) // 2], "cut.pdf")


def test_not_a_pdf() -> None:
    with pytest.raises(UnreadableFile, match="not a PDF"):
        read_pdf(b"hello, I am text in disguise %%EOF", "fake.pdf")


def test_docx_paragraphs_and_table() -> None:
    data = docx_bytes(
        "Clinic Closures in the North",
        ["Date first published: 9 June 2023", *PARAGRAPHS],
        table=[["District", "Clinics closed"], ["Upper Ridge", "4"]],
    )
    [article] = read_docx(data, "clinics.docx")
    assert article.title == "Clinic Closures in the North"
    assert article.published == "2023-06-09"
    assert "forty hectares" in article.text
    assert "Upper Ridge | 4" in article.text


def test_bad_docx_fails_clearly() -> None:
    with pytest.raises(UnreadableFile, match="not a valid Word"):
        read_docx(b"PK\x03\x04 this is not really a zip", "broken.docx")


def test_eml_headers_body_and_attachments() -> None:
    data = eml_bytes(
        "Notes from the border crossing",
        "Forty people crossed at dawn, a volunteer said.\n\nMore will follow.",
        [
            ("statement.txt", b"A statement from the volunteers' committee.\n", "text/plain"),
            ("photo.jpg", b"\xff\xd8\xff\xe0 not really a jpeg", "image/jpeg"),
        ],
    )
    [message] = read_eml(data, "note.eml", MAIL_ATTACHMENTS)  # what .eml files are read with
    assert message.title == "Notes from the border crossing"
    assert message.byline == "Field Reporter"
    assert message.published == "2021-03-05"
    assert message.text.startswith("Forty people crossed at dawn")
    assert [a.name for a in message.attachments] == ["statement.txt"]
    skipped = [e for e in message.meta["attachments"] if "skipped" in e]
    assert [e["name"] for e in skipped] == ["photo.jpg"]
    assert message.meta["email"]["to"] == "desk@example.org"


def test_eml_that_is_not_an_email() -> None:
    with pytest.raises(UnreadableFile, match="not an e-mail"):
        read_eml(b"just some words\n\nand more", "x.eml", SUPPORTED_EXTENSIONS)


def test_every_extension_has_a_media_type() -> None:
    for extension, (media_type, reader) in READERS.items():
        assert extension.startswith(".")
        assert "/" in media_type
        assert callable(reader)
