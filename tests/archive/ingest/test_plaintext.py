"""Plain-text heuristics: titles, dates, links, bylines, digests."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from archive.ingest.plaintext import parse_article, parse_plaintext
from archive.ingest.textnorm import normalise

BODY_A = (
    "Nurses at the district hospital stopped work on Monday after three months without pay, "
    "a union representative said. Patients were sent to a clinic forty kilometres away.\n\n"
    "The health office said it had asked the capital for emergency funds and expected an "
    "answer within the week, although similar promises in the past went unmet."
)
BODY_B = (
    "Bus drivers on the coastal route joined the strike on Wednesday, leaving hundreds of "
    "commuters stranded at the terminal in the early hours of the morning.\n\n"
    "Drivers said fuel allowances had been cut twice this year and that they would not return "
    "until the cuts were reversed, a demand the transport company rejected."
)

DIGEST = f"""

Hospital Nurses Walk Out Over Unpaid Wages

Coastal Bus Drivers Join Strike

Tuesday 8 June 2021, by [The Harbour Post](#) (Date first published: 7 June 2021).

{BODY_A}

The Harbour Post

- The Harbour Post 7 June 2021:

<https://harbour.example.com/news/nurses-walk-out>

Coastal Bus Drivers Join Strike

{BODY_B}

The Harbour Post

- The Harbour Post 9 June 2021:

<https://harbour.example.com/news/bus-drivers-strike>
"""


def test_digest_is_split_into_its_articles() -> None:
    first, second = parse_plaintext(normalise(DIGEST), "digest.txt")
    assert first.title == "Hospital Nurses Walk Out Over Unpaid Wages"
    assert second.title == "Coastal Bus Drivers Join Strike"
    assert (first.published, second.published) == ("2021-06-07", "2021-06-09")
    assert first.url == "https://harbour.example.com/news/nurses-walk-out"
    assert second.url == "https://harbour.example.com/news/bus-drivers-strike"
    assert first.source == second.source == "The Harbour Post"
    assert first.meta == {"digest_of": "digest.txt", "digest_part": 1}
    assert second.meta["digest_part"] == 2
    # The first part does not repeat the second part's listed title.
    assert "Coastal Bus Drivers" not in first.text
    assert "Nurses at the district hospital" in first.text
    assert "Bus drivers on the coastal route" in second.text
    assert "Nurses" not in second.text


def test_one_article_with_two_links_is_not_a_digest() -> None:
    text = normalise(
        f"Nurses walk out\n\n{BODY_A}\n\n<https://a.example.org/1>\n\n<https://a.example.org/2>"
    )
    [article] = parse_plaintext(text, "one.txt")
    assert article.url == "https://a.example.org/1"
    assert article.meta["urls"] == ["https://a.example.org/2"]


def test_leading_date_and_caption_are_not_the_title() -> None:
    text = normalise(
        " date 2022-11-02 Workers gather outside the closed factory gate - Example Photo Agency\n\n"
        f"{BODY_A}"
    )
    article = parse_article(text, "x.txt")
    assert article.published == "2022-11-02"
    assert article.title.startswith("Nurses at the district hospital stopped work on Monday")
    assert article.title.endswith("…")
    assert len(article.title) <= 91
    assert article.byline is None


def test_markdown_heading_and_byline() -> None:
    text = normalise(f"## Nurses walk out\n\nBy Ana Lima, 3 May 2020\n\n{BODY_A}")
    article = parse_article(text, "x.md")
    assert article.title == "Nurses walk out"
    assert article.byline == "Ana Lima"
    assert (article.published, article.published_precision) == ("2020-05-03", "day")


def test_dates_in_the_body_are_not_the_publication_date() -> None:
    text = normalise(f"Nurses walk out\n\n{BODY_A} It began on 4 January 2019.")
    assert parse_article(text, "x.txt").published is None


def test_month_precision() -> None:
    text = normalise(f"Nurses walk out\n\nPublished: June 2021\n\n{BODY_A}")
    article = parse_article(text, "x.txt")
    assert (article.published, article.published_precision) == ("2021-06", "month")


def test_title_falls_back_to_the_file_name() -> None:
    assert parse_article("<https://x.example.org/a>", "scrap.txt").title == "scrap.txt"


@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=400))
def test_any_text_parses_without_error(text: str) -> None:
    canon = normalise(text)
    for article in parse_plaintext(canon, "any.txt"):
        assert article.title
        assert "\n" not in article.title
        assert article.published_precision in {"day", "month", "year", "unknown"}
        if article.url:
            assert article.url.startswith("http")


def test_labelled_header_lines() -> None:
    text = normalise(
        "Source: The Plains Herald\nURL: https://herald.example.com/a/1\n"
        "Title: Wells run dry in the south\nAuthor: Kofi Mensah\nDate: 2020-08-17\n\n"
        f"{BODY_A}"
    )
    article = parse_article(text, "x.txt")
    assert article.title == "Wells run dry in the south"
    assert article.byline == "Kofi Mensah"
    assert article.source == "The Plains Herald"
    assert article.url == "https://herald.example.com/a/1"
    assert article.published == "2020-08-17"


_WORDS = st.sampled_from(
    [
        "river",
        "bridge",
        "council",
        "market",
        "nurses",
        "police",
        "convoy",
        "village",
        "road",
        "school",
        "water",
    ]
)


@given(
    st.lists(
        st.tuples(
            st.lists(_WORDS, min_size=3, max_size=8),  # title words
            st.lists(st.lists(_WORDS, min_size=20, max_size=40), min_size=2, max_size=4),
        ),
        min_size=2,
        max_size=5,
    ),
    st.booleans(),
)
def test_digest_split_property(parts: list, with_list: bool) -> None:
    titles = [" ".join(words).title() + f" {n}" for n, (words, _) in enumerate(parts)]
    blocks = []
    if with_list:
        blocks.extend(titles)
    for n, (_, paragraphs) in enumerate(parts):
        if n or not with_list:
            blocks.append(titles[n])
        blocks.extend(" ".join(p).capitalize() + "." for p in paragraphs)
        blocks.append(f"<https://digest.example.org/{n}>")
    articles = parse_plaintext(normalise("\n\n".join(blocks)), "d.txt")
    assert [a.url for a in articles] == [
        f"https://digest.example.org/{n}" for n in range(len(parts))
    ]
    assert [a.title for a in articles] == titles
    assert [a.meta["digest_part"] for a in articles] == list(range(1, len(parts) + 1))


def test_a_link_line_inside_an_article_does_not_split_it() -> None:
    text = normalise(
        f"Nurses walk out\n\n{BODY_A}\n\n<https://a.example.org/statement>\n\n"
        f"{BODY_B}\n\n<https://a.example.org/article>"
    )
    [article] = parse_plaintext(text, "one.txt")
    assert article.title == "Nurses walk out"
    assert "Bus drivers" in article.text
