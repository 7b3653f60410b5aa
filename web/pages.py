"""What each page shows, gathered from ``store.queries`` in one connection and shaped for a template.

Nothing here writes; nothing here decides. It joins the audit (facts and their sources), the texts the
spans index, the matcher's explanations and the review decisions into one structure per page.
"""

from __future__ import annotations

import json
from typing import Any

from markupsafe import Markup
from sqlalchemy import Connection

from jobs.pipeline import decision_from_payload
from matcher.explain import explain
from store import queries
from web.markup import in_context, link_reports, marked, source_label, span_anchor


def meeting_href(meeting_id: str) -> str:
    return f"/meetings/{meeting_id}"


def report_anchor(article_id: str) -> str:
    return f"report-{article_id[:12]}"


def _named_reports(detail: dict[str, Any], reviews: list[dict[str, Any]]) -> set[str]:
    """Every report id the meeting's decisions mention: members, candidates, review partners."""
    named: set[str] = set()
    for report in detail["reports"]:
        named.add(report["article_id"])
        decision = report["decision"]
        if decision:
            named.update(decision["cluster"])
            named.update(c["report_id"] for c in decision["candidates"])
            if decision["best"]:
                named.add(decision["best"]["report_id"])
            named.add(str(decision.get("trigger")))
    for review in reviews:
        named.update(review["payload"]["article_ids"])
        named.update(review["payload"]["others"])
    return named


def meeting_context(conn: Connection, meeting_id: str, *, done: int | None = None) -> dict[str, Any]:
    """The meeting page: header, facts with every source in context, the people's decisions (each once,
    with the reports it names), reports with the matcher's reasons, and (after a review) the decision
    just recorded, if it concerns this meeting."""
    detail = queries.meeting_detail(conn, meeting_id)
    facts = queries.audit(conn, meeting_id)
    texts = queries.report_texts(conn, meeting_id)
    reviews = [e for e in queries.meeting_history(conn, meeting_id) if e["type"] == "ReviewDecided"]
    where = queries.report_meetings(conn, sorted(_named_reports(detail, reviews)))

    spans: dict[str, list[tuple[int, int]]] = {}
    for fact in facts:
        for source in fact["sources"]:
            start, end = source["span"]
            text = texts.get(source["article_id"], {}).get("text")
            source["label"] = source_label(source["source"])
            source["report_anchor"] = report_anchor(source["article_id"])
            source["span_anchor"] = span_anchor(source["article_id"], start)
            # The quote is stored with the fact; the page shows it where it stands in the text, and says
            # so plainly if the two ever disagree.
            source["matches_text"] = text is not None and text[start:end] == source["quote"]
            source["context"] = in_context(text, start, end) if text and source["matches_text"] else None
            spans.setdefault(source["article_id"], []).append((start, end))

    reports = []
    for report in detail["reports"]:
        article_id = report["article_id"]
        decision = report["decision"]
        text = texts.get(article_id)
        reports.append(
            {
                **report,
                "label": source_label(report["source"]),
                "anchor": report_anchor(article_id),
                "score": decision["best"]["score"] if decision and decision["best"] else None,
                "matcher_version": decision.get("matcher_version") if decision else None,
                "trigger": _trigger(decision.get("trigger"), where) if decision else None,
                "explanation": [
                    link_reports(line, where, meeting_href)
                    for line in explain(decision_from_payload(decision))
                ]
                if decision
                else [],
                # Each decision is shown once, in the meeting's list; a report says which name it.
                "decisions": [
                    r["position"]
                    for r in reviews
                    if article_id in r["payload"]["article_ids"] or article_id in r["payload"]["others"]
                ],
                "text": marked(text["text"], article_id, spans.get(article_id, [])) if text else None,
                "article_position": text["article_position"] if text else None,
            }
        )
    return {
        "meeting": detail,
        "facts": facts,
        "reports": reports,
        "decisions": [
            {
                **_decision(r["payload"], where, meeting_id),
                "position": r["position"],
                "recorded_at": r["recorded_at"],
            }
            for r in reviews
        ],
        "done": _done(reviews, where, done, meeting_id) if done else None,
    }


def _decision(payload: dict[str, Any], where: dict[str, dict[str, Any]], meeting_id: str) -> dict[str, Any]:
    """A person's decision as the page says it: who, what, why, and the reports it names (``named``,
    and for a split or merge the ``others`` it took them from or joined them with), each linked to its
    text on this page if the meeting holds it, else to the meeting it is in now."""

    def links(article_ids: list[str]) -> list[dict[str, str | None]]:
        result: list[dict[str, str | None]] = []
        for article_id in article_ids:
            place = where.get(article_id)
            if place is None:
                continue
            now = place["meeting_id"]
            href = (
                f"#{report_anchor(article_id)}" if now == meeting_id else meeting_href(now) if now else None
            )
            result.append({"label": source_label(place["source"]), "href": href})
        return result

    return {
        "action": payload["action"],
        "actor": payload["actor"],
        "reason": payload["reason"],
        "field_name": payload.get("field_name"),
        "value": payload.get("value"),
        "named": links(payload["article_ids"]),
        "others": links(payload["others"]),
    }


def _trigger(trigger: Any, where: dict[str, dict[str, Any]]) -> Markup | None:
    """What made the matcher decide: a report's arrival (linked to it) or a review decision (linked)."""
    if not trigger:
        return None
    text = str(trigger)
    if text.startswith("review#") and text[7:].isdigit():
        return Markup('<a href="/events/{}">review decision #{}</a>').format(text[7:], text[7:])
    return link_reports(text, where, meeting_href)


def _done(
    reviews: list[dict[str, Any]], where: dict[str, dict[str, Any]], position: int, meeting_id: str
) -> dict[str, Any] | None:
    """The review decision at ``position`` and where its reports are now; None if it is no decision
    about this meeting (a ``done=`` link opened on another meeting's page, or kept while browsing).

    ``reviews`` are the decisions naming a report the meeting holds (the meeting it was made on, and the
    one a split or merge led to: ``Reviewed.meeting``), ``where`` where each report they name is now."""
    review = next((r for r in reviews if r["position"] == position), None)
    if review is None:
        return None
    payload = review["payload"]
    named = [*payload["article_ids"], *payload["others"]]
    meetings = sorted({where[a]["meeting_id"] for a in named if a in where and where[a]["meeting_id"]})
    return {**_decision(payload, where, meeting_id), "position": position, "meetings": meetings}


def event_line(event: dict[str, Any]) -> dict[str, Any]:
    """One line of a meeting's history: what the event says, and the positions it refers to."""
    p = event["payload"]
    refers: list[int] = []
    kind = event["type"]
    if kind in ("ArticleReceived", "ArticleRevised"):
        revision = f"revision {p['revision']} of " if kind == "ArticleRevised" else ""
        summary = f"{revision}{source_label(p['source'])}: {p.get('title') or '(no title)'}"
    elif kind == "ReportExtracted":
        summary = (
            f"facts extracted by {p['extractor_version']} from the text of event #{p['article_position']}"
        )
        refers.append(p["article_position"])
    elif kind == "MatchDecided":
        score = f", best score {p['best']['score']:.2f}" if p.get("best") else ""
        summary = (
            f"{p['outcome']}: a group of {len(p['cluster'])} report(s){score} "
            f"({p['matcher_version']}, because of {p['trigger']})"
        )
        trigger = str(p["trigger"])
        if trigger.startswith("review#") and trigger[7:].isdigit():
            refers.append(int(trigger[7:]))
    elif kind == "ReviewDecided":
        what = f" {p['field_name']} = {p['value']!r}" if p.get("action") == "correct" else ""
        summary = f"{p['actor']} decided {p['action']}{what}: {p['reason']}"
    else:
        summary = ""
    causation = event["metadata"].get("causation")
    if isinstance(causation, int):
        refers.append(causation)
    return {**event, "summary": summary, "refers": sorted(set(refers))}


def event_links(conn: Connection, event: dict[str, Any]) -> dict[str, Any]:
    """For an event's page: the reports it names and the meetings they are in now."""
    p = event["payload"]
    ids = [
        *([p["article_id"]] if isinstance(p.get("article_id"), str) else []),
        *p.get("article_ids", []),
        *p.get("others", []),
        *p.get("cluster", []),
    ]
    where = queries.report_meetings(conn, ids)
    return {
        "line": event_line(event),
        "last": event["position"] >= queries.last_position(conn),
        "reports": [
            {"article_id": a, "label": source_label(w["source"]), "meeting_id": w["meeting_id"]}
            for a, w in sorted(where.items())
        ],
        "text": p.get("text"),
        # The text is shown as text below; the raw input (HTML, JSON) is in the log, not worth a page.
        "payload_json": json.dumps(
            {k: v for k, v in p.items() if k not in ("raw", "text")}, indent=2, ensure_ascii=False
        ),
        "metadata_json": json.dumps(event["metadata"], indent=2, ensure_ascii=False),
    }
