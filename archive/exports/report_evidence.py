"""The evidence model in the report (issue 13): roles, relations, review, verification,
the figure comparison and the case notes, as HTML sections and pieces of the report.

Everything is drawn from the passages the report holds (`written`: annotation id ->
its row as the report wrote it, already masked and with names protected), so a role
or relation whose passage is not in the report — an article not chosen, or a passage
or article flagged sensitive under `--without-sensitive` — is left out with it, and a
claim's quote is the one the report shows. Case notes keep their links: a link to a
passage in the report becomes a link to it (`#a-<id>`), a link to an entity one to
its index entry (`#e-<id>`); a link to a passage left out as sensitive loses its
label (the label is the passage's quote). Notes are rendered from their Markdown
(`notes_markdown`: raw HTML escaped, images as their description, nothing loaded).
"""

from __future__ import annotations

import html
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from archive.exports.selection import Chosen, rows
from archive.figures import FigureClaim, FigureGroup, format_value
from archive.store import Archive

LEFT_OUT = "[sensitive passage left out]"

STYLE = """
.review { font-size: 0.9em; margin: -0.3em 0 0.6em; }
.flag { color: #8a1c1c; font-weight: bold; }
.verif { color: #2c4f1e; font-style: italic; }
.summary { margin: 0.2em 0 0.3em; }
td.range { white-space: nowrap; }
.conflict { color: #8a1c1c; font-weight: bold; }
ul.roles { margin-top: 0.1em; }
.notes { overflow-wrap: anywhere; border-left: 3px solid #bbb; padding-left: 0.8em; }
.notes h4, .notes h5, .notes h6 { margin: 0.6em 0 0.2em; }
.notes pre { white-space: pre-wrap; }
"""


def esc(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def words(key: str | None) -> str:
    """A stored key ("in_review") as words ("in review")."""
    return (key or "").replace("_", " ")


@dataclass
class Evidence:
    """The roles and relations whose passages the report holds, and their labels."""

    roles: list[dict[str, Any]] = field(default_factory=list)
    relations: list[dict[str, Any]] = field(default_factory=list)

    _by_actor: dict[str, list[tuple[str, dict[str, Any]]]] | None = None

    def actors(self) -> set[str]:
        """The actors of the roles and the two ends of the relations."""
        return set(self.by_actor())

    def by_actor(self) -> dict[str, list[tuple[str, dict[str, Any]]]]:
        """Actor id -> its claims, as ("role" | "subject" | "object", row); made once."""
        if self._by_actor is None:
            index: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
            for r in self.roles:
                index[r["actor_id"]].append(("role", r))
            for r in self.relations:
                index[r["subject_id"]].append(("subject", r))
                if r["object_id"] != r["subject_id"]:
                    index[r["object_id"]].append(("object", r))
            self._by_actor = dict(index)
        return self._by_actor


def read_evidence(archive: Archive, written: dict[str, dict[str, Any]]) -> Evidence:
    """The roles and relations resting on a passage in `written`, with their type labels."""
    with archive.engine.connect() as conn:
        merged = {
            r["id"]: r["merged_into"]
            for r in rows(conn, "SELECT id, merged_into FROM entity WHERE merged_into IS NOT NULL")
        }
        role_rows = rows(
            conn,
            "SELECT c.*, t.label FROM role c LEFT JOIN roletype t ON t.key = c.role "
            "ORDER BY c.created_at, c.id",
        )
        relation_rows = rows(
            conn,
            "SELECT c.*, t.label FROM relation c LEFT JOIN relationtype t ON t.key = c.type "
            "ORDER BY c.created_at, c.id",
        )

    def live(eid: str) -> str:
        seen = {eid}
        while eid in merged and merged[eid] not in seen:
            eid = merged[eid]
            seen.add(eid)
        return eid

    got = Evidence()
    for r in role_rows:
        if r["annotation_id"] in written:
            got.roles.append(
                {**r, "event_id": live(r["event_id"]), "actor_id": live(r["actor_id"])}
            )
    for r in relation_rows:
        if r["annotation_id"] in written:
            got.relations.append(
                {**r, "subject_id": live(r["subject_id"]), "object_id": live(r["object_id"])}
            )
    return got


def verification_text(row: dict[str, Any], chosen: Chosen) -> str:
    """A claim's verification in words ("verified: seen on video"); "" when unverified."""
    status = row.get("verification") or "unverified"
    note = chosen.plain(row.get("verification_note"))
    if status == "unverified" and not note:
        return ""
    return words(status) + (f": {note}" if note else "")


def verification_html(row: dict[str, Any], chosen: Chosen) -> str:
    """The verification after a quote (" — <i>verified: ...</i>"), "" when unverified."""
    text = verification_text(row, chosen)
    return f' — <span class="verif">{esc(text)}</span>' if text else ""


def sensitive_html(row: dict[str, Any]) -> str:
    """ " <span class=flag>sensitive (graphic)</span>" for a flagged row, else ""."""
    if not row.get("sensitive"):
        return ""
    reason = row.get("sensitive_reason") or ""
    return f' <span class="flag">sensitive{f" ({esc(reason)})" if reason else ""}</span>'


def review_html(art: dict[str, Any], chosen: Chosen) -> str:
    """An article's review line under its heading: status, assignee, verification, flag."""
    parts = [f"Review: {esc(words(art.get('review_status')) or 'unread')}"]
    if art.get("assignee"):
        parts.append(f"assigned to {esc(chosen.plain(art['assignee']))}")
    verified = verification_text(art, chosen)
    parts.append(f"verification: {esc(verified or 'unverified')}")
    return f'<p class="review">{" · ".join(parts)}{sensitive_html(art)}</p>'


def range_cell(row: dict[str, Any]) -> str:
    """A claim's low – best – high ("500 – 600 – 700"; "?" for an end not given); "" for a
    claim without a range."""
    low, high = row.get("low"), row.get("high")
    if low is None and high is None:
        return ""
    return " – ".join(format_value(v) if v is not None else "?" for v in (low, row["value"], high))


def figure_claim(row: dict[str, Any], art: dict[str, Any]) -> FigureClaim:
    """A report row as the figure comparison's claim (its article's source and copy group)."""
    return FigureClaim(
        row["id"], art["id"], art.get("title") or "", art.get("source"), art.get("published"),
        row["value"], row["qualifier"], row["counted"], row["as_of"], row["quote"],
        bool(row["orphaned"]), row.get("low"), row.get("high"), art.get("copy_group"),
    )  # fmt: skip


def comparison_html(name: str, claims: list[FigureClaim]) -> str:
    """The figure comparison of one figure's claims: the range across sources, whether they
    conflict, how many independent sources (`archive.figures.FigureGroup.compare`)."""
    group = FigureGroup(None, name, list(claims))
    group.compare()
    parts = []
    if group.low is not None or group.high is not None:
        low, high = (format_value(v) if v is not None else "?" for v in (group.low, group.high))
        parts.append(f"range across sources {low}" + (f" – {high}" if high != low else ""))
    if group.conflict:
        parts.append('<span class="conflict">the sources conflict</span>')
    sources = group.source_count()
    parts.append(
        f"{group.independent} independent source(s)"
        + (f" of {sources}" if sources != group.independent else "")
    )
    return f'<p class="summary">{" · ".join(parts)}</p>'


def _passage_link(written: dict[str, dict[str, Any]], ann_id: str, title: str) -> str:
    quote = written[ann_id]["quote"]
    return f'<a href="#a-{esc(ann_id)}">{esc(title) or "(untitled)"}</a>: “{esc(quote)}”'


def _claim_of(role: dict[str, Any], passage: dict[str, Any]) -> dict[str, Any]:
    """Whose verification a role shows: its own when set, else its passage's (the claim the
    passage makes is what `sesame verify-claim` verifies)."""
    return role if (role.get("verification") or "unverified") != "unverified" else passage


def roles_html(
    chosen: Chosen, roles: list[dict[str, Any]], written: dict[str, dict[str, Any]],
    titles: dict[str, str],
) -> str:  # fmt: skip
    """An event's roles: who was perpetrator, victim, ..., each with its passage."""
    if not roles:
        return ""
    out = ['<p class="meta">Who did what to whom:</p><ul class="roles">']
    for r in sorted(roles, key=lambda r: (r["role"], chosen.entity_name(r["actor_id"]).casefold())):
        ann = written[r["annotation_id"]]
        label = r["label"] or words(r["role"])
        note = f" ({esc(chosen.plain(r['note']))})" if r["note"] else ""
        out.append(
            f'<li><strong>{esc(label)}</strong>: <a href="#e-{esc(r["actor_id"])}">'
            f"{esc(chosen.entity_name(r['actor_id']))}</a>{note} — "
            f"{_passage_link(written, r['annotation_id'], titles.get(ann['article_id'], ''))}"
            f"{verification_html(_claim_of(r, ann), chosen)}</li>"
        )
    out.append("</ul>")
    return "\n".join(out)


def actor_claims_html(chosen: Chosen, evidence: Evidence, actor_id: str) -> str:
    """An actor's roles and relations in one line each ("Perpetrator in Hospital raid"),
    linked to the event's or the other actor's entry."""
    items: dict[str, int] = {}

    def add(text: str) -> None:
        items[text] = items.get(text, 0) + 1

    for side, r in evidence.by_actor().get(actor_id, []):
        if side == "role":
            add(f'{esc(r["label"] or words(r["role"]))} in <a href="#e-{esc(r["event_id"])}">'
                f"{esc(chosen.entity_name(r['event_id']))}</a>")  # fmt: skip
            continue
        label = esc((r["label"] or words(r["type"])).lower())
        if side == "subject":
            add(f'{label} <a href="#e-{esc(r["object_id"])}">'
                f"{esc(chosen.entity_name(r['object_id']))}</a>")  # fmt: skip
        else:
            add(f'<a href="#e-{esc(r["subject_id"])}">{esc(chosen.entity_name(r["subject_id"]))}'
                f"</a> {label} this actor")  # fmt: skip
    if not items:
        return ""
    listed = "; ".join(t + (f" ({n} passages)" if n > 1 else "") for t, n in items.items())
    return f'<p class="meta">{listed}</p>'


def relations_html(
    chosen: Chosen, evidence: Evidence, written: dict[str, dict[str, Any]],
    articles: dict[str, dict[str, Any]],
) -> str:  # fmt: skip
    """Relations between actors: subject, type, object, first and last cited, the passages."""
    out = ['<section class="index" id="relations"><h2>Relations between actors</h2>']
    if not evidence.relations:
        out.append("<p>No relations are recorded.</p>")
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in evidence.relations:
        groups[(r["subject_id"], r["type"], r["object_id"])].append(r)

    def order(key: tuple[str, str, str]) -> tuple[str, str, str]:
        return (
            chosen.entity_name(key[0]).casefold(),
            key[1],
            chosen.entity_name(key[2]).casefold(),
        )

    for key in sorted(groups, key=order):
        claims = groups[key]
        subject, _, obj = key
        label = claims[0]["label"] or words(claims[0]["type"])
        cited = sorted(
            p for c in claims if (p := articles[written[c["annotation_id"]]["article_id"]].get(
                "published"))
        )  # fmt: skip
        out.append(
            f"<h3>{esc(chosen.entity_name(subject))} — {esc(label.lower())} — "
            f"{esc(chosen.entity_name(obj))}</h3>"
        )
        if cited:
            span = cited[0] if cited[0] == cited[-1] else f"{cited[0]} – {cited[-1]}"
            out.append(f'<p class="meta">cited {esc(span)} ({len(claims)} passage(s))</p>')
        out.append('<ul class="mentions">')
        for c in claims:
            art = articles[written[c["annotation_id"]]["article_id"]]
            dates = " – ".join(x for x in (c["date_start"], c["date_end"]) if x)
            says = f" says {esc(dates)}" if dates else ""
            note = f" ({esc(chosen.plain(c['note']))})" if c["note"] else ""
            out.append(
                f"<li>{_passage_link(written, c['annotation_id'], art.get('title') or '')}"
                f" ({esc(art.get('source') or '(unknown source)')}){says}{note}</li>"
            )
        out.append("</ul>")
    out.append("</section>")
    return "\n".join(out)


def review_table_html(chosen: Chosen, articles: dict[str, dict[str, Any]]) -> str:
    """Every article of the report with its review status, assignee and verification."""
    out = [
        '<section class="index" id="review"><h2>Review</h2>',
        "<table><tr><th>Article</th><th>Source</th><th>Status</th><th>Assignee</th>"
        "<th>Verification</th><th>Note</th></tr>",
    ]
    for art in articles.values():
        flag = sensitive_html(art)
        out.append(
            f'<tr><td><a href="#art-{esc(art["id"])}">{esc(art.get("title")) or "(untitled)"}'
            f"</a>{flag}</td><td>{esc(art.get('source'))}</td>"
            f"<td>{esc(words(art.get('review_status')))}</td>"
            f"<td>{esc(chosen.plain(art.get('assignee')))}</td>"
            f"<td>{esc(words(art.get('verification')))}</td>"
            f"<td>{esc(chosen.plain(art.get('verification_note')))}</td></tr>"
        )
    out.append("</table></section>")
    return "\n".join(out)


@dataclass
class _Targets:
    """What the notes' links can point at."""

    written: dict[str, dict[str, Any]]
    indexed: set[str]  # entities with an entry in the report (#e-<id>)
    left_out: set[str]  # passages left out as sensitive (whole article or passage)
    resolved: dict[tuple[str, str], tuple[str | None, str]]  # (kind, ref) -> (id, label)


def _sensitive_passages(archive: Archive) -> set[str]:
    with archive.engine.connect() as conn:
        return {
            r["id"]
            for r in rows(
                conn,
                "SELECT an.id FROM annotation an JOIN article a ON a.id = an.article_id "
                "WHERE an.sensitive = 1 OR a.sensitive = 1",
            )
        }


def _link_html(kind: str, ref: str, label: str | None, t: _Targets, chosen: Chosen) -> str:
    target, name = t.resolved.get((kind, ref), (None, ""))
    if kind == "annotation":
        if target is not None and target in t.left_out and chosen.selection.without_sensitive:
            return f"<em>{esc(LEFT_OUT)}</em>"
        shown = chosen.plain(label if label is not None else name)
        if target is not None and target in t.written:
            return f'<a href="#a-{esc(target)}">{esc(shown)}</a>'
        return f"{esc(shown)} <small>(passage not in this report)</small>"
    shown = chosen.plain(label) if label is not None else chosen.entity_name(target) or name
    if target is not None and target in t.indexed:
        return f'<a href="#e-{esc(target)}">{esc(shown)}</a>'
    return esc(shown)


def notes_markup(text: str, t: _Targets, chosen: Chosen) -> str:
    """Case notes as HTML, rendered from their Markdown, names protected, their Sesame
    links made links in the report (`notes_markdown.render_notes`)."""
    from archive.exports.notes_markdown import render_notes

    return render_notes(
        text, chosen.plain, lambda kind, ref, label: _link_html(kind, ref, label, t, chosen)
    )


def covered_collections(archive: Archive, chosen: Chosen) -> list[dict[str, Any]]:
    """The collections (id, name, notes) whose case notes an export of `chosen` carries: the
    chosen collection's, else every collection with notes holding one of the chosen
    articles (all of them for the whole archive)."""
    from archive.collections import get_collection

    wanted = set(chosen.ids)
    with archive.engine.connect() as conn:
        colls = rows(conn, "SELECT id, name, notes FROM collection WHERE notes != '' ORDER BY name")
        members = rows(conn, "SELECT article_id, collection_id FROM articlecollection")
    sel = chosen.selection
    if sel.collection:
        only = get_collection(archive, sel.collection).id
        return [c for c in colls if c["id"] == only]
    if sel.whole_archive:
        return colls
    held = {m["collection_id"] for m in members if m["article_id"] in wanted}
    return [c for c in colls if c["id"] in held]


def note_targets(
    archive: Archive, colls: list[dict[str, Any]]
) -> tuple[dict[tuple[str, str], tuple[str | None, str]], set[str]]:
    """What the links of `colls`' notes point at ((kind, ref as written) -> (id, label)),
    and the passages an export leaves out as sensitive."""
    from archive import notes as notes_mod

    resolved: dict[tuple[str, str], tuple[str | None, str]] = {}
    with archive.session() as session:
        for c in colls:
            for link in notes_mod.note_links(session, c["notes"]):
                resolved[(link.kind, link.ref)] = (link.target_id, link.label)
    return resolved, _sensitive_passages(archive)


def notes_html(
    archive: Archive, chosen: Chosen, written: dict[str, dict[str, Any]], indexed: set[str]
) -> str:
    """The case notes of the collections the report covers (`covered_collections`)."""
    colls = covered_collections(archive, chosen)
    if not colls:
        return (
            '<section class="index" id="notes"><h2>Case notes</h2>'
            "<p>No collection of this report has case notes.</p></section>"
        )
    resolved, left_out = note_targets(archive, colls)
    t = _Targets(written, indexed, left_out, resolved)
    out = ['<section class="index" id="notes"><h2>Case notes</h2>']
    for c in colls:
        out.append(f"<h3>{esc(chosen.plain(c['name']))}</h3>")
        out.append(f'<div class="notes">{notes_markup(c["notes"], t, chosen)}</div>')
    out.append("</section>")
    return "\n".join(out)
