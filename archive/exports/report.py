"""The HTML report: a self-contained page of a collection or a search, to read and to print.

One file, nothing remote: the style is inline, no script, no image, no
font or stylesheet is fetched (links to the articles' sources are plain
links, followed only if the reader clicks). It holds

- each article with its tagged passages highlighted in the tag colours
  (overlapping tags nest; each passage has an anchor, `#a-<id>`, and names
  its tag and entity on hover), and the passages whose text was lost
  (orphaned) listed below it;
- an index of the actors with their mentions, each linked to its passage;
- the events with their dates and places, and the dates each source gives;
- the figures compared source by source: each claim's low – best – high and its
  verification, and per figure the range across sources, whether they conflict and
  how many independent sources give it;
- the evidence model (`archive.exports.report_evidence`): each article's review
  status, assignee and verification, each event's roles (who was perpetrator,
  victim, ... each with its quoted passage), the relations between actors, and the
  case notes of the collections it covers. With `--without-sensitive` a role or
  relation goes with its passage.

Burmese is set in a Myanmar font (Noto Sans Myanmar, Padauk, Myanmar Text,
then whatever the system has) with the line height its stacked vowels
need; each article's language is declared (`lang`) for the browser's
line breaking.
"""

from __future__ import annotations

import html
import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archive import models
from archive.exports import report_evidence as ev
from archive.exports.files import atomic_file, output_path
from archive.exports.selection import Chosen, Selection, choose, rows
from archive.figures import claim_text, format_value
from archive.store import Archive
from archive.tasks import CancelToken, ProgressFn

FONTS = (
    '"Noto Sans", "Noto Sans Myanmar", "Padauk", "Myanmar Text", "Myanmar3", '
    '"Noto Sans Thai", "Noto Sans Arabic", "Noto Sans CJK SC", system-ui, sans-serif'
)

STYLE = """
:root { color-scheme: light; }
body { font-family: %(fonts)s; line-height: 1.6; max-width: 46em; margin: 2em auto;
       padding: 0 1em; color: #111; background: #fff; }
:lang(my) { line-height: 2.1; }
h1 { font-size: 1.6em; } h2 { font-size: 1.3em; border-bottom: 1px solid #999; }
h3 { font-size: 1.1em; margin-bottom: 0.2em; }
.meta { color: #444; font-size: 0.9em; margin: 0 0 0.6em; }
.text { white-space: pre-wrap; overflow-wrap: anywhere; }
mark { color: inherit; padding: 0 0.05em; border-radius: 2px; }
mark mark { box-shadow: inset 0 -0.18em 0 rgba(0, 0, 0, 0.45); }
.legend span { padding: 0 0.4em; margin-right: 0.6em; border-radius: 2px; }
table { border-collapse: collapse; width: 100%%; margin: 0.5em 0 1em; font-size: 0.92em; }
th, td { border: 1px solid #bbb; padding: 0.2em 0.4em; text-align: left; vertical-align: top; }
th { background: #eee; }
ul.mentions { margin-top: 0.2em; }
.orphaned { color: #7a2e00; }
a { color: #0645ad; }
article { margin-bottom: 2em; }
@media print {
  body { max-width: none; margin: 0; font-size: 10.5pt; }
  article, section.index { break-before: page; }
  a { color: inherit; text-decoration: none; }
  mark { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  nav { display: none; }
}
"""


def esc(value: Any) -> str:
    """Text as HTML (quotes too): nothing in an article can open a tag."""
    return html.escape("" if value is None else str(value), quote=True)


@dataclass
class _Mention:
    annotation_id: str
    article_id: str
    article_title: str
    source: str
    published: str
    quote: str
    row: dict[str, Any]


@dataclass
class _Collected:
    """What the indexes need, gathered while the articles are written."""

    by_entity: dict[str, list[_Mention]] = field(default_factory=lambda: defaultdict(list))
    figures: list[_Mention] = field(default_factory=list)
    # Annotation id -> its row as written (masked, names protected); article id -> its
    # row without its text: what the evidence sections draw from.
    written: dict[str, dict[str, Any]] = field(default_factory=dict)
    arts: dict[str, dict[str, Any]] = field(default_factory=dict)
    articles: int = 0
    annotations: int = 0


def highlight(text: str, anns: Iterable[dict[str, Any]], titles: dict[str, str]) -> str:
    """The text as HTML with each placed annotation a `<mark>` (nested where they overlap).

    `titles`: annotation id -> hover text. Marks are closed and reopened at
    every boundary, so the HTML nests properly whatever the overlaps.
    """
    placed = [a for a in anns if not a["orphaned"] and 0 <= a["start"] < a["end"] <= len(text)]
    if not placed:
        return esc(text)
    cuts = sorted({0, len(text), *(a["start"] for a in placed), *(a["end"] for a in placed)})
    out: list[str] = []
    opened: set[str] = set()
    for left, right in itertools.pairwise(cuts):
        # Outer (longer, earlier) annotations first, so the innermost colour shows.
        active = sorted(
            (a for a in placed if a["start"] <= left and right <= a["end"]),
            key=lambda a: (a["start"], -a["end"], a["id"]),
        )
        piece = esc(text[left:right])
        for a in reversed(active):
            anchor = ""
            if a["id"] not in opened:
                opened.add(a["id"])
                anchor = f' id="a-{esc(a["id"])}"'
            piece = (
                f'<mark{anchor} class="t-{_css_class(a["type_key"])}" data-a="{esc(a["id"])}" '
                f'title="{esc(titles.get(a["id"], ""))}">{piece}</mark>'
            )
        out.append(piece)
    return "".join(out)


def _tag_types(archive: Archive) -> list[dict[str, Any]]:
    with archive.engine.connect() as conn:
        return rows(conn, "SELECT key, label, colour FROM tagtype ORDER BY builtin DESC, key")


def _css_class(key: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in key)


def _style(types: list[dict[str, Any]]) -> str:
    rules = [STYLE % {"fonts": FONTS}, ev.STYLE]
    for t in types:
        colour = t["colour"] if str(t["colour"]).startswith("#") else "#cccccc"
        rules.append(f"mark.t-{_css_class(t['key'])} {{ background: {esc(colour)}; }}")
    return "\n".join(rules)


def range_text(row: dict[str, Any]) -> str:
    """A figure's range as the report shows it after the claim: " (range 500–700)"."""
    low, high = row.get("low"), row.get("high")
    if low is None and high is None:
        return ""
    ends = [format_value(v) if v is not None else "?" for v in (low, high)]
    return f" (range {ends[0]}–{ends[1]})"


def _title(chosen: Chosen, row: dict[str, Any], labels: dict[str, str]) -> str:
    label = labels.get(row["type_key"], row["type_key"])
    name = chosen.entity_name(row["entity_id"])
    parts = [f"{label}: {name}" if name else label]
    if row["type_key"] == "figure" and row["value"] is not None:
        parts.append(
            claim_text(row["value"], row["qualifier"], chosen.plain(row["counted"]))
            + range_text(row)
        )
    if row["note"]:
        parts.append(row["note"])
    verified = ev.verification_text(row, chosen)
    if verified:
        parts.append(verified)
    return " — ".join(parts)


def _article_html(
    chosen: Chosen, art: dict[str, Any], anns: list[dict[str, Any]], labels: dict[str, str]
) -> str:
    titles = {a["id"]: _title(chosen, a, labels) for a in anns}
    lang = f' lang="{esc(art["language"])}"' if art.get("language") else ""
    retracted = (
        f"<strong>Retracted</strong>: {esc(art.get('retracted_reason') or '')}"
        if art.get("retracted_at")
        else ""
    )
    meta = [
        retracted,
        esc(art["source"]) if art["source"] else "",
        esc(art["published"]) if art["published"] else "",
        esc(art["byline"]) if art.get("byline") else "",
    ]
    url = (
        f' · <a href="{esc(art["url"])}">{esc(art["url"])}</a>'
        if art.get("url") and str(art["url"]).startswith(("http://", "https://"))
        else ""
    )
    parts = [
        f'<article id="art-{esc(art["id"])}"{lang}>',
        f"<h2>{esc(art['title']) or '(untitled)'}</h2>",
        f'<p class="meta">{" · ".join(m for m in meta if m)}{url}</p>',
        ev.review_html(art, chosen),
        f'<div class="text">{highlight(art["text"], anns, titles)}</div>',
    ]
    orphans = [a for a in anns if a["orphaned"]]
    if orphans:
        parts.append('<p class="orphaned">Passages whose text is no longer in the article:</p><ul>')
        parts.extend(f"<li>{esc(titles[a['id']])}: “{esc(a['quote'])}”</li>" for a in orphans)
        parts.append("</ul>")
    parts.append("</article>")
    return "\n".join(parts)


def _link(m: _Mention) -> str:
    return f'<a href="#a-{esc(m.annotation_id)}">{esc(m.article_title) or "(untitled)"}</a>'


def _actors_html(
    chosen: Chosen, got: _Collected, entities: dict[str, dict[str, Any]], evidence: ev.Evidence
) -> str:
    claimed = evidence.actors()
    actors = sorted(
        (
            e
            for eid, e in entities.items()
            if e["type_key"] == "actor" and (eid in got.by_entity or eid in claimed)
        ),
        key=lambda e: chosen.entity_name(e["id"]).casefold(),
    )
    parts = ['<section class="index" id="actors"><h2>Actors</h2>']
    if not actors:
        parts.append("<p>No actors are tagged.</p>")
    for e in actors:
        mentions = got.by_entity.get(e["id"], [])
        parts.append(
            f'<h3 id="e-{esc(e["id"])}">{esc(chosen.entity_name(e["id"]))} '
            f"<small>({len(mentions)} mention(s))</small></h3>"
        )
        parts.append(ev.actor_claims_html(chosen, evidence, e["id"]))
        parts.append('<ul class="mentions">')
        parts.extend(
            f"<li>{_link(m)} ({esc(m.source)}): “{esc(m.quote)}”"
            f"{ev.verification_html(m.row, chosen)}</li>"
            for m in mentions
        )
        parts.append("</ul>")
    parts.append("</section>")
    return "\n".join(parts)


def _events_html(
    chosen: Chosen, got: _Collected, entities: dict[str, dict[str, Any]], evidence: ev.Evidence
) -> str:
    by_event: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in evidence.roles:
        by_event[r["event_id"]].append(r)
    with_roles = set(by_event)
    titles = {aid: a.get("title") or "" for aid, a in got.arts.items()}
    events = sorted(
        (
            e
            for eid, e in entities.items()
            if e["type_key"] == "event" and (eid in got.by_entity or eid in with_roles)
        ),
        key=lambda e: (e["date_start"] or "9999", chosen.entity_name(e["id"]).casefold()),
    )
    parts = ['<section class="index" id="events"><h2>Events</h2>']
    if not events:
        parts.append("<p>No events are tagged with an entity.</p>")
    for e in events:
        when = e["date_start"] or ""
        if e["date_end"] and e["date_end"] != when:
            when = f"{when} – {e['date_end']}"
        place = chosen.plain(e["place"])
        head = " · ".join(esc(x) for x in (when, place) if x)
        precision = " · ".join(
            f"{what} precise to the {esc(ev.words(e[key]))}"
            for what, key in (("date", "date_precision"), ("place", "place_precision"))
            if e.get(key)
        )
        parts.append(f'<h3 id="e-{esc(e["id"])}">{esc(chosen.entity_name(e["id"]))}</h3>')
        if head:
            parts.append(f'<p class="meta">{head}{f" ({precision})" if precision else ""}</p>')
        parts.append(ev.roles_html(chosen, by_event.get(e["id"], []), got.written, titles))
        mentions = got.by_entity.get(e["id"], [])
        if mentions:
            parts.append('<p class="meta">Passages:</p><ul class="mentions">')
        for m in mentions:
            date = f" says {esc(m.row['as_of'])}" if m.row["as_of"] else ""
            parts.append(
                f"<li>{_link(m)} ({esc(m.source)}){date}: “{esc(m.quote)}”"
                f"{ev.verification_html(m.row, chosen)}</li>"
            )
        if mentions:
            parts.append("</ul>")
    parts.append("</section>")
    return "\n".join(parts)


def _figures_html(chosen: Chosen, got: _Collected) -> str:
    groups: dict[str, list[_Mention]] = defaultdict(list)
    for m in got.figures:
        groups[chosen.entity_name(m.row["entity_id"]) or "(no figure entity)"].append(m)
    parts = ['<section class="index" id="figures"><h2>Figures, source by source</h2>']
    if not groups:
        parts.append("<p>No figures are tagged.</p>")
    for name in sorted(groups, key=lambda n: (n == "(no figure entity)", n.casefold())):
        claims = sorted(groups[name], key=lambda m: (m.row["as_of"] or m.published or "", m.source))
        compared = [ev.figure_claim(m.row, got.arts[m.article_id]) for m in claims]
        parts.append(f"<h3>{esc(name)}</h3>{ev.comparison_html(name, compared)}"
                     "<table><tr><th>Source</th><th>Published</th><th>Claim</th>"
                     "<th>Low – best – high</th><th>As of</th><th>Verification</th>"
                     "<th>Passage</th></tr>")  # fmt: skip
        for m in claims:
            r = m.row
            claim = claim_text(r["value"], r["qualifier"], chosen.plain(r["counted"]) or None)
            parts.append(
                f"<tr><td>{esc(m.source)}</td><td>{esc(m.published)}</td>"
                f'<td>{esc(claim)}</td><td class="range">{esc(ev.range_cell(r))}</td>'
                f"<td>{esc(r['as_of'])}</td>"
                f"<td>{esc(ev.verification_text(r, chosen))}</td>"
                f"<td>{_link(m)}: “{esc(m.quote)}”</td></tr>"
            )
        parts.append("</table>")
    parts.append("</section>")
    return "\n".join(parts)


def export_report(
    archive: Archive,
    out: str | Path,
    selection: Selection | None = None,
    *,
    title: str | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> dict[str, Any]:
    """Write the selection as one self-contained HTML report to OUT; the counts."""
    selection = selection or Selection()
    path = output_path(out, "report.html")
    chosen = choose(archive, selection)
    types = _tag_types(archive)
    labels = {t["key"]: t["label"] for t in types}
    with archive.engine.connect() as conn:
        entities = {e["id"]: e for e in rows(conn, "SELECT * FROM entity")}
    got = _Collected()
    heading = title or f"Sesame report: {selection.describe()}"
    with atomic_file(path) as tmp, open(tmp, "w", encoding="utf-8") as fh:
        fh.write(
            '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{esc(heading)}</title>\n<style>{_style(types)}</style>\n</head>\n<body>\n"
            f"<h1>{esc(heading)}</h1>\n"
            f'<p class="meta">{len(chosen.ids)} article(s); made by Sesame on '
            f"{esc(models.utcnow().strftime('%Y-%m-%d %H:%M UTC'))}.</p>\n"
            '<p class="legend">'
            + "".join(
                f'<span class="t-{_css_class(t["key"])}" style="background:{esc(t["colour"])}">'
                f"{esc(t['label'])}</span>"
                for t in types
            )
            + "</p>\n"
            '<nav><a href="#actors">Actors</a> · <a href="#events">Events</a> · '
            '<a href="#relations">Relations</a> · <a href="#figures">Figures</a> · '
            '<a href="#review">Review</a> · <a href="#notes">Case notes</a></nav>\n'
        )
        for art, anns in chosen.articles(progress, cancel, message="Writing the report"):
            got.articles += 1
            got.annotations += len(anns)
            got.arts[art["id"]] = {k: v for k, v in art.items() if k != "text"}
            fh.write(_article_html(chosen, art, anns, labels))
            fh.write("\n")
            for a in anns:
                m = _Mention(
                    a["id"], art["id"], art["title"], art["source"] or "(unknown source)",
                    art["published"] or "", a["quote"], a,
                )  # fmt: skip
                if a["entity_id"]:
                    eid = a["entity_id"]
                    while entities.get(eid, {}).get("merged_into"):
                        eid = entities[eid]["merged_into"]
                    got.by_entity[eid].append(m)
                if a["type_key"] == "figure":
                    got.figures.append(m)
                got.written[a["id"]] = a
        evidence = ev.read_evidence(archive, got.written)
        fh.write(_actors_html(chosen, got, entities, evidence))
        fh.write(_events_html(chosen, got, entities, evidence))
        fh.write(ev.relations_html(chosen, evidence, got.written, got.arts))
        fh.write(_figures_html(chosen, got))
        fh.write(ev.review_table_html(chosen, got.arts))
        indexed = set(got.by_entity) | {r["event_id"] for r in evidence.roles}
        fh.write(ev.notes_html(archive, chosen, got.written, indexed))
        fh.write("\n</body>\n</html>\n")
    return {
        "path": str(path),
        "format": "report",
        "articles": got.articles,
        "annotations": got.annotations,
        "roles": len(evidence.roles),
        "relations": len(evidence.relations),
    }
