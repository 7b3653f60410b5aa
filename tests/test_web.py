"""The web review page through Starlette's TestClient, on SQLite and PostgreSQL, and the read queries it
added to ``store.queries``.

Reports are the fictional example corpus, or short fictional reports written here.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine

from accord.cli import cli
from accord.errors import AccordError
from ingest.sources import iter_articles
from jobs.pipeline import Pipeline, decision_from_payload
from jobs.review import ACTIONS
from matcher.explain import explain
from store import queries
from store.eventlog import EventLog
from tests.meetings import meeting_with, name
from web import app as web_app
from web.markup import ARTICLE_ID, in_context, marked, source_label

with warnings.catch_warnings():
    # Starlette >= 1.x prefers httpx2 for its test client; httpx is what this project depends on.
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

CORPUS = Path(__file__).resolve().parents[1] / "examples" / "corpus"
TOKEN = "test-form-token"

# Short fictional reports: distinct people, so that each is its own meeting; two carry no date at all.
WRITTEN = {
    "a.txt": "On 3 May 2021, Foreign Minister Anna Berglund met Tomas Verhoeven, President of the Northern "
    "Fisheries Board, in Oslund.",
    "b.txt": "On 3 May 2021, Prime Minister Karel Dvorsky received Mira Santander, Governor of the Bank "
    "of Estavia, in Pelmora.",
    "c.txt": "On 14 June 2022, Defence Minister Ilse Vantongeren met General Rui Okonkwo in Tessary.",
    "d.txt": "On 9 January 2020, Trade Minister Yusuf Halloran held talks with Lena Marchetti, Director of "
    "the Harbour Authority of Quell.",
    "e.txt": "The mayor spoke about roads and bridges. <script>alert('x')</script> Nothing was agreed.",
    "f.txt": "Residents of the valley gathered to discuss the weather & the harvest.",
    "g.txt": "On 22 August 2019, Health Minister Petra Lindqvist visited the Coral Clinic in Sarnau.",
}


def meetings(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return list(queries.export_meetings(conn))


def review_events(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [
            {"position": e.position, **json.loads(e.payload)}
            for e in EventLog(conn).read(types=["ReviewDecided"])
        ]


def ingest(engine: Engine, folder: Path) -> None:
    summary = Pipeline(engine).ingest(iter_articles([str(folder)]))
    assert not summary.failed


@pytest.fixture
def corpus(engine: Engine, tmp_path: Path) -> Engine:
    folder = tmp_path / "corpus"
    shutil.copytree(CORPUS, folder)
    ingest(engine, folder)
    return engine


@pytest.fixture
def written(engine: Engine, tmp_path: Path) -> Engine:
    folder = tmp_path / "written"
    folder.mkdir()
    for file_name, text in WRITTEN.items():
        (folder / file_name).write_text(text + "\n", encoding="utf-8")
    ingest(engine, folder)
    return engine


def client_for(engine: Engine, *, token: str = TOKEN, **kwargs: Any) -> Iterator[TestClient]:
    app = web_app.create_app(engine, actor="desk", token=token, **kwargs)
    with TestClient(app, base_url="http://localhost", follow_redirects=False) as client:
        yield client


@pytest.fixture
def client(corpus: Engine) -> Iterator[TestClient]:
    yield from client_for(corpus)


@pytest.fixture
def written_client(written: Engine) -> Iterator[TestClient]:
    yield from client_for(written)


def rows(page: str) -> list[str]:
    """The table rows of the meeting list."""
    if "<tbody>" not in page:
        return []
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [r for r in body.split("<tr>") if "</tr>" in r]


def listed_ids(page: str) -> list[str]:
    return [re.search(r'href="/meetings/(m-[0-9a-f]+)"', r).group(1) for r in rows(page)]  # type: ignore[union-attr]


def text_of(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def post(client: TestClient, meeting_id: str, action: str, **fields: str) -> Any:
    return client.post(f"/meetings/{meeting_id}/{action}", data={"csrf": TOKEN, **fields})


# --- The meeting list


def test_list_shows_each_meeting_with_date_title_participants_status_and_report_count(
    client: TestClient, corpus: Engine
) -> None:
    page = client.get("/meetings")
    assert page.status_code == 200
    by_id = dict(zip(listed_ids(page.text), rows(page.text), strict=True))
    expected = meetings(corpus)
    assert set(by_id) == {m["id"] for m in expected}
    for m in expected:
        row = text_of(by_id[m["id"]])
        assert (m["date"] or m["date_from"]) in row
        assert m["status"] in row
        assert re.search(rf"\b{len(m['reports'])}\s*$", row.strip())
        for person in m["participants"]:
            assert person["name"] in row
        if m["title"]:
            assert m["title"] in row


def test_status_filter_lists_only_that_status_and_the_home_page_is_the_review_queue(
    client: TestClient, corpus: Engine
) -> None:
    merged = {m["id"] for m in meetings(corpus) if m["status"] == "merged"}
    assert merged, "the example corpus has meetings reported by several outlets"
    assert set(listed_ids(client.get("/meetings?status=merged").text)) == merged

    home = client.get("/")
    assert home.status_code == 303
    assert home.headers["location"] == "/meetings?status=needs-review"
    queue = client.get(home.headers["location"])
    needing = {m["id"] for m in meetings(corpus) if m["status"] == "needs-review"}
    if needing:
        assert set(listed_ids(queue.text)) == needing
    else:
        assert "review queue is empty" in queue.text

    bad = client.get("/meetings?status=maybe")
    assert bad.status_code == 400
    assert "unknown status 'maybe'" in html.unescape(bad.text)


def test_search_finds_people_sources_and_ids_in_any_case_and_treats_wildcards_as_text(
    client: TestClient, corpus: Engine
) -> None:
    everything = meetings(corpus)
    with_haldane = {m["id"] for m in everything if any("Haldane" in p["name"] for p in m["participants"])}
    assert with_haldane
    assert set(listed_ids(client.get("/meetings", params={"q": "hALDANE"}).text)) == with_haldane

    wire = meeting_with(corpus, "nwa-2024-03-07-castellan-haldane.txt")
    found = listed_ids(client.get("/meetings", params={"q": "nwa-2024-03-07"}).text)
    assert found == [wire["id"]]
    assert listed_ids(client.get("/meetings", params={"q": wire["id"][:8]}).text) == [wire["id"]]

    assert listed_ids(client.get("/meetings", params={"q": "%"}).text) == []
    nothing = client.get("/meetings", params={"q": "no such words anywhere"})
    assert "No meetings match" in html.unescape(nothing.text)


def test_meeting_page_keyset_walks_every_meeting_once_both_ways(written: Engine) -> None:
    with written.connect() as conn:
        everything = queries.meeting_page(conn, limit=1000).meetings
        assert any(m["date"] == "unknown" for m in everything), "some written reports carry no date"

        pages = [queries.meeting_page(conn, limit=2)]
        assert pages[0].before is None
        while pages[-1].after is not None:
            pages.append(queries.meeting_page(conn, limit=2, after=pages[-1].after))
        forward = [[m["id"] for m in p.meetings] for p in pages]
        assert [i for chunk in forward for i in chunk] == [m["id"] for m in everything]
        assert all(len(chunk) == 2 for chunk in forward[:-1])

        page, backward = pages[-1], [forward[-1]]
        while page.before is not None:
            page = queries.meeting_page(conn, limit=2, before=page.before)
            backward.append([m["id"] for m in page.meetings])
        assert backward == forward[::-1]

    dated = [m for m in everything if m["date"] != "unknown"]
    assert [m["date"] for m in dated] == sorted((m["date"] for m in dated), reverse=True)
    assert all(m["date"] == "unknown" for m in everything[len(dated) :])


@pytest.mark.parametrize("date_from", ["2021-05-03", None])
def test_a_cursor_survives_its_token(date_from: str | None) -> None:
    cursor = queries.Cursor(date_from=date_from, meeting_id="m-0123456789ab")
    assert queries.Cursor.parse(cursor.token()) == cursor


@pytest.mark.parametrize("token", ["", "2021-05-03", "2021~m-1", "2021-05-03~x-1"])
def test_a_cursor_token_that_is_not_one_is_refused(token: str) -> None:
    with pytest.raises(AccordError, match="not a place in the meeting list"):
        queries.Cursor.parse(token)


def test_list_pages_follow_the_older_links_to_the_end_and_keep_the_filter(
    written_client: TestClient, written: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(web_app, "PAGE_SIZE", 2)
    seen: list[str] = []
    url: str | None = "/meetings"
    while url:
        page = written_client.get(url)
        assert page.status_code == 200
        ids = listed_ids(page.text)
        assert 0 < len(ids) <= 2
        seen.extend(ids)
        older = re.search(r'rel="next" href="([^"]+)"', page.text)
        url = html.unescape(older.group(1)) if older else None
    assert sorted(seen) == sorted(m["id"] for m in meetings(written))
    assert len(seen) == len(set(seen))

    newer = re.search(r'rel="prev" href="([^"]+)"', page.text)
    assert newer is not None
    before_last = seen[-len(ids) - 2 : -len(ids)]
    assert listed_ids(written_client.get(html.unescape(newer.group(1))).text) == before_last

    # Every written report's source is in the folder "written": a search that matches them all.
    filtered = written_client.get("/meetings", params={"q": "written", "status": "single"})
    older = re.search(r'rel="next" href="([^"]+)"', filtered.text)
    assert older is not None
    assert "q=written" in older.group(1)
    assert "status=single" in older.group(1)

    assert written_client.get("/meetings?after=nonsense").status_code == 400


def test_status_counts_count_every_status(corpus: Engine) -> None:
    with corpus.connect() as conn:
        counts = queries.status_counts(conn)
    expected = dict.fromkeys(queries.STATUSES, 0)
    for m in meetings(corpus):
        expected[m["status"]] += 1
    assert counts == expected


# --- The meeting page: facts, sources, texts, explanations


def test_meeting_page_shows_every_fact_with_quotes_that_are_the_report_text_at_their_span(
    client: TestClient, corpus: Engine
) -> None:
    meeting = meeting_with(corpus, "lundmark-courier-2023-03-14.html")
    with corpus.connect() as conn:
        facts = queries.audit(conn, meeting["id"])
        texts = queries.report_texts(conn, meeting["id"])
    assert set(texts) == {r["article_id"] for r in meeting["reports"]}
    page = client.get(f"/meetings/{meeting['id']}").text
    quoted = 0
    for fact in facts:
        assert html.escape(fact["value"], quote=True) in page
        for source in fact["sources"]:
            start, end = source["span"]
            assert texts[source["article_id"]]["text"][start:end] == source["quote"]
            if start == end:
                continue
            quoted += 1
            # In the full text the span is marked where it stands, and the fact links to it.
            anchor = f"r-{source['article_id'][:12]}-{start}"
            assert f'href="#{anchor}"' in page
            assert f'<mark id="{anchor}">' in page
            assert f"<mark>{html.escape(source['quote'])}</mark>" in page
            assert source["extractor_version"] in page
    assert quoted > 0
    assert "not the report&#39;s text at its span" not in page


def test_meeting_page_explains_the_matcher_and_links_the_reports_it_names(
    client: TestClient, corpus: Engine
) -> None:
    meeting = meeting_with(corpus, "nwa-2024-03-07-castellan-haldane.txt")
    page = client.get(f"/meetings/{meeting['id']}").text
    with corpus.connect() as conn:
        detail = queries.meeting_detail(conn, meeting["id"])
        named = {c["report_id"] for r in detail["reports"] for c in r["decision"]["candidates"]}
        where = queries.report_meetings(conn, sorted(named))
    assert named
    for report in detail["reports"]:
        decision = report["decision"]
        assert f'href="/events/{report["decision_position"]}"' in page
        assert decision["matcher_version"] in page
        if decision["best"]:
            assert f"{decision['best']['score']:.2f}" in page
        for line in explain(decision_from_payload(decision)):
            # The page says what the matcher said, with each report named by its source, not its id.
            shown = ARTICLE_ID.sub(
                lambda m: source_label(where.get(m.group(), {}).get("source", m.group())), line
            )
            assert shown in text_of(page)
    for article_id, place in where.items():
        assert f'href="/meetings/{place["meeting_id"]}" title="report {article_id} in' in page


def test_a_prefix_redirects_to_the_meeting_and_an_unknown_one_is_a_404(
    client: TestClient, corpus: Engine
) -> None:
    meeting = meeting_with(corpus, "lundmark-courier-2023-03-14.html")
    short = client.get(f"/meetings/{meeting['id'][:7]}")
    assert short.status_code == 303
    assert short.headers["location"] == f"/meetings/{meeting['id']}"
    missing = client.get("/meetings/m-ffffffffffff")
    assert missing.status_code == 404
    assert "no meeting 'm-ffffffffffff'" in html.unescape(missing.text)
    assert "Traceback" not in missing.text
    assert client.get("/events/999999").status_code == 404
    assert client.get("/no/such/page").status_code == 404


def test_report_text_is_escaped(written_client: TestClient, written: Engine) -> None:
    meeting = meeting_with(written, "e.txt")
    page = written_client.get(f"/meetings/{meeting['id']}").text
    assert "<script>" not in page
    assert "&lt;script&gt;alert(" in page


def test_history_lists_the_events_behind_the_meeting_and_links_them(
    client: TestClient, corpus: Engine
) -> None:
    meeting = meeting_with(corpus, "lundmark-courier-2023-03-14.html")
    with corpus.connect() as conn:
        history = queries.meeting_history(conn, meeting["id"])
        members = {r["article_id"] for r in queries.meeting_reports(conn, meeting["id"])}
    positions = [e["position"] for e in history]
    assert positions == sorted(positions)
    for article_id in members:
        kinds = {e["type"] for e in history if e["stream_id"] == f"article-{article_id}"}
        assert {"ArticleReceived", "ReportExtracted", "MatchDecided"} <= kinds
    assert all("text" not in e["payload"] and "raw" not in e["payload"] for e in history)

    page = client.get(f"/meetings/{meeting['id']}/history").text
    for position in positions:
        assert f'href="/events/{position}"' in page
    event = client.get(f"/events/{positions[0]}")
    assert event.status_code == 200
    assert history[0]["type"] in event.text
    assert history[0]["hash"] in event.text


# --- Review actions


def test_confirm_appends_the_decision_redirects_and_says_what_was_recorded(
    client: TestClient, corpus: Engine
) -> None:
    meeting = meeting_with(corpus, "lundmark-courier-2023-03-14.html")
    response = post(client, meeting["id"], "confirm", actor="ana", reason="checked the ministry site")
    assert response.status_code == 303
    [event] = review_events(corpus)
    assert (event["action"], event["actor"], event["reason"]) == (
        "confirm",
        "ana",
        "checked the ministry site",
    )
    assert response.headers["location"] == f"/meetings/{meeting['id']}?done={event['position']}#done"
    assert meeting_with(corpus, "lundmark-courier-2023-03-14.html")["status"] == "confirmed"

    page = client.get(response.headers["location"]).text
    banner = text_of(page.split('id="done"', 1)[1].split("</p>", 1)[0])
    assert f"event #{event['position']}" in banner
    assert "ana confirmed" in banner
    assert "checked the ministry site" in banner
    assert f"Person's decision #{event['position']}" in text_of(page)


def test_the_actor_defaults_to_the_configured_name_shown_in_the_form(
    client: TestClient, corpus: Engine
) -> None:
    meeting = meeting_with(corpus, "lundmark-courier-2023-03-14.html")
    page = client.get(f"/meetings/{meeting['id']}").text
    assert 'name="actor" value="desk"' in page
    assert post(client, meeting["id"], "confirm", actor="  ", reason="looks right").status_code == 303
    assert [e["actor"] for e in review_events(corpus)] == ["desk"]


def test_split_takes_the_report_out_and_redirects_to_where_the_meeting_went(
    client: TestClient, corpus: Engine
) -> None:
    wire = "nwa-2023-03-15-castellan-haldane.txt"
    meeting = meeting_with(corpus, wire)
    chosen = next(r for r in meeting["reports"] if name(r["source"]) == wire)
    response = post(client, meeting["id"], "split", report=chosen["article_id"], reason="a later call")
    assert response.status_code == 303
    [event] = review_events(corpus)
    assert event["action"] == "split"
    assert event["article_ids"] == [chosen["article_id"]]
    assert sorted(event["others"]) == sorted(r["article_id"] for r in meeting["reports"] if r is not chosen)
    alone = meeting_with(corpus, wire)
    rest = meeting_with(corpus, "lundmark-courier-2023-03-14.html")
    assert [r["article_id"] for r in alone["reports"]] == [chosen["article_id"]]
    assert alone["id"] != rest["id"]
    # The page goes on with the reports that stayed together, not the one taken out.
    target = response.headers["location"].split("?")[0].rsplit("/", 1)[1]
    assert target == rest["id"]
    banner = client.get(response.headers["location"]).text.split('id="done"', 1)[1].split("</p>", 1)[0]
    assert f'href="/meetings/{alone["id"]}"' in banner
    assert f'href="/meetings/{rest["id"]}"' in banner


def test_merge_joins_two_meetings(client: TestClient, corpus: Engine) -> None:
    a = meeting_with(corpus, "lundmark-courier-2023-03-14.html")
    b = meeting_with(corpus, "nwa-2024-03-07-castellan-haldane.txt")
    response = post(client, a["id"], "merge", other=b["id"][:8], reason="one event, misdated")
    assert response.status_code == 303
    [event] = review_events(corpus)
    assert event["action"] == "merge"
    assert sorted(event["others"]) == sorted(r["article_id"] for r in b["reports"])
    merged = meeting_with(corpus, "lundmark-courier-2023-03-14.html")
    assert {r["article_id"] for r in merged["reports"]} == {
        r["article_id"] for r in [*a["reports"], *b["reports"]]
    }
    assert response.headers["location"].startswith(f"/meetings/{merged['id']}?done=")


def test_correct_replaces_the_fact_and_the_page_names_the_correction(
    client: TestClient, corpus: Engine
) -> None:
    meeting = meeting_with(corpus, "lundmark-courier-2023-03-14.html")
    response = post(
        client, meeting["id"], "correct", field="place", value="Lundmark Harbour", reason="per the ministry"
    )
    assert response.status_code == 303
    [event] = review_events(corpus)
    assert (event["action"], event["field_name"], event["value"]) == ("correct", "place", "Lundmark Harbour")
    assert meeting_with(corpus, "lundmark-courier-2023-03-14.html")["place"] == "Lundmark Harbour"
    page = client.get(response.headers["location"]).text
    assert "human-correction" in page
    assert f'corrected by a person: <a href="/events/{event["position"]}">' in page


@pytest.mark.parametrize(
    ("action", "fields", "status", "message"),
    [
        ("confirm", {"reason": "   "}, 400, "needs a reason"),
        ("split", {"report": "nope.txt", "reason": "x"}, 400, "does not name exactly one report"),
        ("merge", {"other": "m-ffffffffffff", "reason": "x"}, 400, "no meeting 'm-ffffffffffff'"),
        ("merge", {"other": "SELF", "reason": "x"}, 400, "cannot be merged with itself"),
        ("correct", {"field": "mood", "value": "x", "reason": "x"}, 400, "correct needs a field"),
        ("approve", {"reason": "x"}, 400, "unknown review action 'approve'"),
    ],
)
def test_a_refused_review_shows_one_message_keeps_the_form_and_appends_nothing(
    client: TestClient, corpus: Engine, action: str, fields: dict[str, str], status: int, message: str
) -> None:
    meeting = meeting_with(corpus, "lundmark-courier-2023-03-14.html")
    fields = {k: meeting["id"] if v == "SELF" else v for k, v in fields.items()}
    response = post(client, meeting["id"], action, **fields)
    assert response.status_code == status
    assert message in html.unescape(response.text)
    assert "Traceback" not in response.text
    assert html.unescape(response.text).count("Not recorded:") == 1
    assert review_events(corpus) == []
    if action in ACTIONS and fields["reason"].strip():
        assert f">{fields['reason']}</textarea>" in response.text


def form_of(page: str, action: str) -> dict[str, str]:
    """The hidden fields of one of a meeting page's decision forms, as the browser would send them."""
    form = page.split(f'/{action}"', 1)[1].split("</form>", 1)[0]
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))


def test_the_remove_form_drops_the_fact_it_names(client: TestClient, corpus: Engine) -> None:
    meeting = meeting_with(corpus, "lundmark-courier-2023-03-14.html")
    wrong = meeting["topics"][0]
    page = client.get(f"/meetings/{meeting['id']}").text
    assert f'<option value="topic:{wrong}">topic: {wrong}</option>' in page
    response = post(
        client, meeting["id"], "remove", **form_of(page, "remove"), fact=f"topic:{wrong}", reason="no"
    )
    assert response.status_code == 303
    assert wrong not in meeting_with(corpus, "lundmark-courier-2023-03-14.html")["topics"]
    assert f"removed topic “{wrong}”" in (banner_of(client.get(response.headers["location"]).text) or "")
    refused = post(client, meeting["id"], "remove", fact="topic:astronomy", reason="not about it")
    assert refused.status_code == 400
    assert "states no topic 'astronomy'" in html.unescape(refused.text)
    assert [e["action"] for e in review_events(corpus)] == ["remove"]


def test_a_decision_from_a_page_whose_meeting_changed_since_is_refused_and_keeps_the_reason(
    client: TestClient, corpus: Engine
) -> None:
    meeting = meeting_with(corpus, "lundmark-courier-2023-03-14.html")
    stale = form_of(client.get(f"/meetings/{meeting['id']}").text, "confirm")
    assert sorted(stale["seen"].split()) == sorted(r["article_id"] for r in meeting["reports"])
    # Meanwhile, in another tab, a colleague splits a report out.
    wire = next(r for r in meeting["reports"] if name(r["source"]) == "nwa-2023-03-15-castellan-haldane.txt")
    page = client.get(f"/meetings/{meeting['id']}").text
    assert post(client, meeting["id"], "split", **form_of(page, "split"), report=wire["article_id"],
                reason="a later call").status_code == 303  # fmt: skip
    before = review_events(corpus)
    response = post(client, meeting["id"], "confirm", **{**stale, "reason": "checked all three reports"})
    assert response.status_code == 400
    assert "changed since its page was opened" in html.unescape(response.text)
    assert ">checked all three reports</textarea>" in response.text
    assert review_events(corpus) == before
    # The page it shows now lists what the meeting holds; confirming from it is recorded.
    fresh = form_of(response.text, "confirm")
    assert wire["article_id"] not in fresh["seen"].split()
    again = post(client, meeting["id"], "confirm", **{**fresh, "reason": "checked the two left"})
    assert again.status_code == 303
    assert [e["action"] for e in review_events(corpus)] == ["split", "confirm"]


def test_the_same_submission_twice_records_one_decision(client: TestClient, corpus: Engine) -> None:
    a = meeting_with(corpus, "lundmark-courier-2023-03-14.html")
    b = meeting_with(corpus, "nwa-2024-03-07-castellan-haldane.txt")
    fields = {**form_of(client.get(f"/meetings/{a['id']}").text, "merge"), "other": b["id"], "reason": "one"}
    first, second = post(client, a["id"], "merge", **fields), post(client, a["id"], "merge", **fields)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert [e["action"] for e in review_events(corpus)] == ["merge"]
    # A new page is a new submission: confirming twice from two renderings is two decisions.
    merged = meeting_with(corpus, "lundmark-courier-2023-03-14.html")
    for _ in range(2):
        page = client.get(f"/meetings/{merged['id']}").text
        post(client, merged["id"], "confirm", **form_of(page, "confirm"), reason="looked again")
    assert [e["action"] for e in review_events(corpus)] == ["merge", "confirm", "confirm"]


def test_a_meeting_id_that_a_split_or_merge_retired_leads_to_where_its_reports_went(
    client: TestClient, corpus: Engine
) -> None:
    a = meeting_with(corpus, "lundmark-courier-2023-03-14.html")
    b = meeting_with(corpus, "nwa-2024-03-07-castellan-haldane.txt")
    post(client, a["id"], "merge", other=b["id"], reason="one event")
    merged = meeting_with(corpus, "nwa-2024-03-07-castellan-haldane.txt")
    retired = next(m for m in (a["id"], b["id"]) if m != merged["id"])
    response = client.get(f"/meetings/{retired}")
    assert response.status_code == 303
    assert response.headers["location"] == f"/meetings/{merged['id']}"
    # A decision from a page of the retired meeting is not applied to the one its reports are in now.
    refused = post(client, retired, "confirm", reason="checked the two")
    assert refused.status_code == 400
    assert "a split or merge retired it. Nothing was recorded" in html.unescape(refused.text)
    assert ">checked the two</textarea>" in refused.text
    assert [e["action"] for e in review_events(corpus)] == ["merge"]


def test_search_folds_the_case_of_every_alphabet(client: TestClient, corpus: Engine) -> None:
    meeting = meeting_with(corpus, "lundmark-courier-2023-03-14.html")
    post(client, meeting["id"], "correct", field="place", value="Ångström Hall, Łódź", reason="per the host")
    for query in ("ångström", "ÅNGSTRÖM", "ŁÓDŹ", "łódź"):
        assert listed_ids(client.get("/meetings", params={"q": query}).text) == [meeting["id"]], query


@pytest.mark.parametrize(
    ("query", "message"),
    [("x" * 201, "at most 200 characters"), ("a\x00b", "control characters"), ("a\tb", "control characters")],
)
def test_a_search_no_person_types_is_a_400(client: TestClient, query: str, message: str) -> None:
    response = client.get("/meetings", params={"q": query})
    assert response.status_code == 400
    assert message in html.unescape(response.text)


def banner_of(page: str) -> str | None:
    """The text of the "decision recorded" banner, or None where the page shows none."""
    if 'id="done"' not in page:
        return None
    return text_of(page.split('id="done"', 1)[1].split("</p>", 1)[0])


def test_a_decision_banner_shows_only_on_a_meeting_the_decision_concerns(
    client: TestClient, corpus: Engine
) -> None:
    a = meeting_with(corpus, "lundmark-courier-2023-03-14.html")
    b = meeting_with(corpus, "nwa-2024-03-07-castellan-haldane.txt")
    wire = next(r for r in a["reports"] if name(r["source"]) == "nwa-2023-03-15-castellan-haldane.txt")
    for action, fields in (("confirm", {}), ("split", {"report": wire["article_id"]})):
        location = post(client, a["id"], action, **fields, reason=f"{action}: checked").headers["location"]
        # Shown where the browser is sent (after a split, where the reports that stayed together are).
        assert f"{action}: checked" in (banner_of(client.get(location).text) or "")
        # The same link with another meeting's id (an edited URL, a tab kept open while browsing) says
        # nothing about a decision that meeting never had.
        done = location.split("?", 1)[1].split("#", 1)[0]
        other = client.get(f"/meetings/{b['id']}?{done}")
        assert other.status_code == 200
        assert banner_of(other.text) is None


def test_each_persons_decision_is_listed_once_with_the_reports_it_names(
    client: TestClient, corpus: Engine
) -> None:
    meeting = meeting_with(corpus, "lundmark-courier-2023-03-14.html")
    assert len(meeting["reports"]) == 3
    post(client, meeting["id"], "confirm", actor="ana", reason="checked all three")
    wire = next(r for r in meeting["reports"] if name(r["source"]) == "nwa-2023-03-15-castellan-haldane.txt")
    post(client, meeting["id"], "split", report=wire["article_id"], reason="a later call")
    confirm, split = review_events(corpus)
    rest = meeting_with(corpus, "lundmark-courier-2023-03-14.html")
    alone = meeting_with(corpus, "nwa-2023-03-15-castellan-haldane.txt")

    page = client.get(f"/meetings/{rest['id']}").text
    for event in (confirm, split):
        assert text_of(page).count(f"Person's decision #{event['position']}") == 1
    # Each decision names its reports: those of this meeting linked to their texts, the one split out
    # to the meeting it is in now.
    listed = page.split('id="decisions"', 1)[1].split('id="reports"', 1)[0]
    confirmed = listed.split(f'id="decision-{confirm["position"]}"', 1)[1].split("</li>", 1)[0]
    assert "ana confirmed" in text_of(confirmed)
    for report in rest["reports"]:
        assert f'href="#report-{report["article_id"][:12]}">{name(report["source"])}</a>' in confirmed
    assert f'href="/meetings/{alone["id"]}">{name(wire["source"])}</a>' in confirmed
    # Each report still says which decisions name it, by a link to the list.
    for report in rest["reports"]:
        section = page.split(f'id="report-{report["article_id"][:12]}"', 1)[1].split("</section>", 1)[0]
        for event in (confirm, split):
            assert f'href="#decision-{event["position"]}"' in section


def test_the_forms_that_match_again_say_that_they_take_a_while(client: TestClient, corpus: Engine) -> None:
    meeting = meeting_with(corpus, "lundmark-courier-2023-03-14.html")
    page = client.get(f"/meetings/{meeting['id']}").text
    for action in ("split", "merge"):
        form = page.split(f'/{action}"', 1)[1].split("</form>", 1)[0]
        assert '<p class="pending">' in form
        assert "takes some seconds" in text_of(form)
    assert '<p class="pending">' not in page.split('/confirm"', 1)[1].split("</form>", 1)[0]


@pytest.mark.parametrize(
    "path", ["/meetings/{id}?done=99999999999999999999999", "/meetings/{id}?done=%C2%B2"]
)
def test_a_done_that_is_no_position_is_ignored(client: TestClient, corpus: Engine, path: str) -> None:
    meeting = meeting_with(corpus, "lundmark-courier-2023-03-14.html")
    response = client.get(path.format(id=meeting["id"]))
    assert response.status_code == 200
    assert 'id="done"' not in response.text


@pytest.mark.parametrize("position", ["99999999999999999999999", "%C2%B2", "abc"])
def test_an_event_position_that_is_none_is_a_404(client: TestClient, position: str) -> None:
    assert client.get(f"/events/{position}").status_code == 404


def test_the_search_box_searches_within_the_tab_shown(client: TestClient) -> None:
    page = client.get("/meetings", params={"status": "merged"}).text
    box = page.split('role="search"', 1)[1].split("</form>", 1)[0]
    assert '<input type="hidden" name="status" value="merged">' in box
    assert (
        'name="status"'
        not in client.get("/meetings").text.split('role="search"', 1)[1].split("</form>", 1)[0]
    )


def test_an_error_page_has_a_heading(client: TestClient) -> None:
    page = client.get("/meetings/m-ffffffffffff").text
    assert "<h1>Not found</h1>" in page


def test_the_newest_event_links_back_but_not_on(client: TestClient, corpus: Engine) -> None:
    with corpus.connect() as conn:
        newest, _ = EventLog(conn).head()
    page = client.get(f"/events/{newest}").text
    assert f'href="/events/{newest - 1}"' in page
    assert f'href="/events/{newest + 1}"' not in page


def test_an_unknown_other_meeting_posted_to_a_prefix_is_not_called_retired(
    client: TestClient, corpus: Engine
) -> None:
    meeting = meeting_with(corpus, "lundmark-courier-2023-03-14.html")
    response = post(client, meeting["id"][:7], "merge", other="m-ffffffffffff", reason="x")
    assert response.status_code == 400
    assert "no meeting 'm-ffffffffffff'" in html.unescape(response.text)
    assert "retired" not in response.text
    assert review_events(corpus) == []


def test_a_review_of_an_unknown_meeting_is_a_404(client: TestClient, corpus: Engine) -> None:
    response = post(client, "m-ffffffffffff", "confirm", reason="x")
    assert response.status_code == 404
    assert "no meeting 'm-ffffffffffff'" in html.unescape(response.text)
    assert review_events(corpus) == []


# --- Cross-site request forgery and other sites


@pytest.mark.parametrize(
    ("token", "headers"),
    [
        (None, {}),
        ("guessed", {}),
        (TOKEN, {"Origin": "https://elsewhere.example"}),
        (TOKEN, {"Origin": "null"}),
    ],
)
def test_a_post_without_our_token_or_from_another_origin_is_refused(
    client: TestClient, corpus: Engine, token: str | None, headers: dict[str, str]
) -> None:
    meeting = meeting_with(corpus, "lundmark-courier-2023-03-14.html")
    data = {"reason": "forged", **({"csrf": token} if token else {})}
    response = client.post(f"/meetings/{meeting['id']}/confirm", data=data, headers=headers)
    assert response.status_code == 403
    assert "refused" in response.text
    assert review_events(corpus) == []


RESTARTED = "token-after-the-restart"


@pytest.fixture
def restarted(corpus: Engine) -> Iterator[TestClient]:
    """The review page after a restart: the same database, a new form token."""
    yield from client_for(corpus, token=RESTARTED)


def test_a_form_from_before_a_restart_is_refused_and_shown_again_with_what_was_typed(
    client: TestClient, restarted: TestClient, corpus: Engine
) -> None:
    meeting = meeting_with(corpus, "lundmark-courier-2023-03-14.html")
    url = f"/meetings/{meeting['id']}/correct"
    typed = {"field": "place", "value": "Lundmark Harbour", "reason": "per the ministry", "actor": "ana"}
    opened = form_of(client.get(f"/meetings/{meeting['id']}").text, "correct")
    response = restarted.post(url, data={**opened, **typed}, headers={"Origin": "http://localhost"})
    assert response.status_code == 403
    assert "the server was restarted after the page was opened" in html.unescape(response.text)
    assert review_events(corpus) == []
    form = response.text.split('/correct"', 1)[1].split("</form>", 1)[0]
    assert ">per the ministry</textarea>" in form
    assert 'value="Lundmark Harbour"' in form
    assert "<option selected>place</option>" in form
    assert 'name="actor" value="ana"' in form
    # The form comes back with the new token, and as the page it was typed on: the same reports seen,
    # the same submission. Sent again, it is recorded.
    again = form_of(response.text, "correct")
    assert again == {**opened, "csrf": RESTARTED}
    assert restarted.post(url, data={**again, **typed}).status_code == 303
    assert [(e["action"], e["value"], e["actor"]) for e in review_events(corpus)] == [
        ("correct", "Lundmark Harbour", "ana")
    ]
    # A form from another site is refused as before, and nothing it says is shown back.
    forged = restarted.post(
        url, data={**typed, "reason": "forged reason"}, headers={"Origin": "https://elsewhere.example"}
    )
    assert forged.status_code == 403
    assert "forged reason" not in forged.text


def test_a_form_from_before_a_restart_is_not_recorded_if_the_meeting_changed_since(
    client: TestClient, restarted: TestClient, corpus: Engine
) -> None:
    meeting = meeting_with(corpus, "lundmark-courier-2023-03-14.html")
    url = f"/meetings/{meeting['id']}/confirm"
    opened = form_of(client.get(f"/meetings/{meeting['id']}").text, "confirm")
    # After the restart a colleague splits a report out; then the old page's form arrives.
    wire = next(r for r in meeting["reports"] if name(r["source"]) == "nwa-2023-03-15-castellan-haldane.txt")
    split = {"csrf": RESTARTED, "report": wire["article_id"], "reason": "a later call"}
    assert restarted.post(f"/meetings/{meeting['id']}/split", data=split).status_code == 303
    stale = restarted.post(
        url, data={**opened, "reason": "all three are one"}, headers={"Origin": "http://localhost"}
    )
    assert stale.status_code == 403
    # Sent again, it is judged as the decision about the three reports it was typed beside.
    resent = restarted.post(url, data={**form_of(stale.text, "confirm"), "reason": "all three are one"})
    assert resent.status_code == 400
    assert "changed since its page was opened" in html.unescape(resent.text)
    assert ">all three are one</textarea>" in resent.text
    assert [e["action"] for e in review_events(corpus)] == ["split"]


def test_a_post_from_our_own_origin_is_accepted(client: TestClient, corpus: Engine) -> None:
    meeting = meeting_with(corpus, "lundmark-courier-2023-03-14.html")
    response = client.post(
        f"/meetings/{meeting['id']}/confirm",
        data={"csrf": TOKEN, "reason": "ok"},
        headers={"Origin": "http://localhost"},
    )
    assert response.status_code == 303
    assert len(review_events(corpus)) == 1


def test_pages_refuse_framing_and_foreign_host_names(client: TestClient) -> None:
    page = client.get("/meetings")
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    assert client.get("/meetings", headers={"Host": "attacker.example"}).status_code == 400


# --- The command


def test_serve_runs_the_app_on_localhost_with_the_configured_actor(
    corpus: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    started: dict[str, Any] = {}

    def run(app: Any, **kwargs: Any) -> None:
        started.update(kwargs, app=app)

    monkeypatch.setattr(uvicorn, "run", run)
    url = corpus.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(cli, ["--db", url, "serve", "--port", "8123"], env={"ACCORD_ACTOR": "zed"})
    assert result.exit_code == 0, result.output
    assert (started["host"], started["port"]) == ("127.0.0.1", 8123)
    with TestClient(started["app"], base_url="http://127.0.0.1:8123") as browser:
        page = browser.get(f"/meetings/{meetings(corpus)[0]['id']}")
        assert page.status_code == 200
        assert 'name="actor" value="zed"' in page.text
        assert browser.get("/meetings", headers={"Host": "rebound.example"}).status_code == 400


# --- Marking spans in text


@pytest.mark.parametrize(
    ("description", "text", "spans"),
    [
        ("no spans", "plain & simple", []),
        ("disjoint", "Anna met Tomas in Oslund", [(0, 4), (9, 14)]),
        ("overlapping", "Foreign Minister Anna Berglund", [(0, 30), (17, 30), (17, 21)]),
        ("touching and empty", "a<b>c", [(0, 1), (1, 4), (2, 2)]),
        ("out of range ignored", "short", [(2, 99)]),
    ],
)
def test_marked_text_reads_as_the_text_and_marks_every_span(
    description: str, text: str, spans: list[tuple[int, int]]
) -> None:
    out = str(marked(text, "0123456789abcdef0123", spans))
    assert text_of(out) == text
    for start, end in spans:
        if 0 <= start < end <= len(text):
            assert f'<mark id="r-0123456789ab-{start}">' in out
    assert "<b>" not in out


def test_in_context_marks_the_span_and_escapes_the_rest() -> None:
    text = "<i>x</i> " * 30 + "Anna Berglund" + " & more" * 30
    start = text.index("Anna")
    out = str(in_context(text, start, start + 13, width=20))
    assert "<mark>Anna Berglund</mark>" in out
    assert "<i>" not in out
    assert out.startswith("…")
    assert out.endswith("…")
