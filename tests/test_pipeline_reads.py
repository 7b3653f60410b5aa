"""The matcher's reads in the pipeline: bounded key postings and bounded candidate lists, on both backends.

Each test writes index rows straight into the projection tables and reads them in the same transaction,
which is rolled back: the log stays empty and so do the projections.
"""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, Engine, insert

import jobs.pipeline
from jobs.pipeline import MatchCache, MatchReads
from matcher import DEFAULT_CONFIG, ReportProfile, query_keys, score_pair
from store.events import canonical_json
from store.fold import Review
from store.projections import REVIEW_COLUMNS, REVIEW_REPORT_COLUMNS, review_report_rows, review_row
from store.schema import MatchKeyRow, ReportRow, ReviewReportRow, ReviewRow

CAP = 5


def _index(conn: Connection, postings: dict[str, list[str]]) -> None:
    rows = [{"key": key, "article_id": a} for key, ids in postings.items() for a in ids]
    conn.execute(insert(MatchKeyRow), rows)


@pytest.mark.parametrize(
    ("description", "count", "usable"),
    [
        pytest.param("one posting", 1, True, id="one"),
        pytest.param("exactly the cap", CAP, True, id="at_cap"),
        pytest.param("one over the cap", CAP + 1, False, id="just_over"),
        pytest.param("far over the cap", 40 * CAP, False, id="far_over"),
    ],
)
def test_a_key_over_the_cap_is_skipped_whatever_its_count(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, description: str, count: int, usable: bool
) -> None:
    monkeypatch.setattr(jobs.pipeline, "MAX_KEY_POSTINGS", CAP)
    ids = [f"r{i:04d}" for i in range(count)]
    with engine.connect() as conn:
        _index(conn, {"k|busy": ids, "k|quiet": ["q1", "q2"]})
        postings = MatchReads(conn).postings(["k|busy", "k|quiet", "k|absent"])
    assert sorted(postings["k|quiet"] or ()) == ["q1", "q2"]
    assert postings["k|absent"] == []
    if usable:
        assert sorted(postings["k|busy"] or ()) == ids, description
    else:
        assert postings["k|busy"] is None, description


def test_many_keys_in_one_look_up_each_get_their_own_postings(engine: Engine) -> None:
    # More keys than one bounded query takes, so the look-up is split and put back together by key.
    keys = [f"k{i:03d}|2020-W01" for i in range(250)]
    with engine.connect() as conn:
        _index(conn, {key: [f"a{i}", f"b{i}"] for i, key in enumerate(keys)})
        postings = MatchReads(conn).postings(keys)
    assert {k: sorted(v or ()) for k, v in postings.items()} == {
        key: sorted([f"a{i}", f"b{i}"]) for i, key in enumerate(keys)
    }


def _profile(report_id: str, people: tuple[str, ...] = ("ann", "bob", "cyd")) -> ReportProfile:
    return ReportProfile(report_id=report_id, people=frozenset(people))


def test_candidates_beyond_the_cap_are_those_sharing_the_most_keys(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jobs.pipeline, "MAX_CANDIDATES", 3)
    seed = _profile("seed")
    keys = sorted(query_keys(seed))
    # x1 and x2 share every key, y1 two of them, the z reports one each.
    postings = {key: ["x1", "x2"] for key in keys}
    postings[keys[0]] += ["y1", "z1"]
    postings[keys[1]] += ["y1", "z2"]
    postings[keys[2]] += ["z3"]
    reports = {a for ids in postings.values() for a in ids}
    with engine.connect() as conn:
        _index(conn, postings)
        for report_id in sorted(reports):
            profile = _profile(report_id, ("ann",))
            conn.execute(
                insert(ReportRow),
                [{**_report_row(report_id), "profile": canonical_json(profile.to_dict())}],
            )
        found = MatchReads(conn).candidates(seed)
        assert sorted(p.report_id for p in found) == ["x1", "x2", "y1"]
        monkeypatch.setattr(jobs.pipeline, "MAX_CANDIDATES", 100)
        assert {p.report_id for p in MatchReads(conn).candidates(seed)} == reports


def _report_row(report_id: str) -> dict[str, object]:
    return {
        "article_id": report_id,
        "source": report_id,
        "origin": report_id,
        "title": None,
        "published": None,
        "content_hash": report_id,
        "revision": 1,
        "received_position": 0,
        "article_position": 0,
        "cluster": None,
        "outcome": None,
        "meeting_id": None,
    }


def _store_reviews(conn: Connection, reviews: list[tuple[int, str, list[str], list[str]]]) -> None:
    """The rows the projector writes for ``reviews`` (its own row builders): the review, and each report
    it names."""
    stored = [
        Review(
            position=position,
            action=action,
            article_ids=tuple(ids),
            others=tuple(others),
            field_name=None,
            value=None,
            actor="tester",
            reason="test",
        )
        for position, action, ids, others in reviews
    ]
    for table, columns, rows in (
        (ReviewRow, REVIEW_COLUMNS, [review_row(r) for r in stored]),
        (ReviewReportRow, REVIEW_REPORT_COLUMNS, review_report_rows(stored)),
    ):
        conn.execute(insert(table), [dict(zip(columns, row, strict=True)) for row in rows])


@pytest.mark.parametrize(
    ("description", "reviews", "must", "cannot"),
    [
        pytest.param(
            "a split after a merge of the same pair wins",
            [(1, "merge", ["a", "b"], []), (2, "split", ["a"], ["b"])],
            [],
            [("a", "b")],
            id="split_last",
        ),
        pytest.param(
            "a merge after a split of the same pair wins",
            [(1, "split", ["a"], ["b"]), (2, "merge", ["a", "b"], [])],
            [("a", "b")],
            [],
            id="merge_last",
        ),
        pytest.param(
            "reviews naming none of the reports are left out",
            [(1, "merge", ["a", "b"], []), (2, "merge", ["c", "d"], []), (3, "split", ["c"], ["e"])],
            [("a", "b")],
            [],
            id="unrelated",
        ),
    ],
)
def test_constraints_are_the_newest_human_word_on_each_pair_touching_the_reports(
    engine: Engine,
    description: str,
    reviews: list[tuple[int, str, list[str], list[str]]],
    must: list[tuple[str, str]],
    cannot: list[tuple[str, str]],
) -> None:
    with engine.connect() as conn:
        _store_reviews(conn, reviews)
        reads = MatchReads(conn)
        assert reads.constraints({"a"}) == (must, cannot), description
        assert reads.constraints({"x"}) == ([], [])


def test_a_report_logged_but_not_yet_projected_is_found_under_its_keys(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Inside a batch the pipeline projects its articles at the end: until then a report's postings come
    from the cache, whether its keys were read before it was logged or are read after."""
    monkeypatch.setattr(jobs.pipeline, "MAX_KEY_POSTINGS", CAP)
    with engine.connect() as conn:
        _index(conn, {"k|any": ["old"], "k|full": [f"r{i}" for i in range(CAP)]})
        cache = MatchCache()
        reads = MatchReads(conn, cache)
        assert reads.postings(["k|read"]) == {"k|read": []}
        reads.indexed("new", ["k|any", "k|read", "k|full"])  # logged; the tables do not hold it
        postings = reads.postings(["k|any", "k|read", "k|full", "k|other"])
    assert sorted(postings["k|any"] or ()) == ["new", "old"]
    assert postings["k|read"] == ["new"]
    assert postings["k|full"] is None  # the report takes the key over the cap, as projected it would
    assert postings["k|other"] == []


def test_reviews_are_looked_up_only_for_reports_a_review_names(engine: Engine) -> None:
    """Reading a profile tells whether any review names the report: an unreviewed report's constraints
    need no look-up of their own, a reviewed one's reviews are read when first asked for."""
    with engine.connect() as conn:
        for report_id in ("a", "b", "c"):
            profile = canonical_json(_profile(report_id).to_dict())
            conn.execute(insert(ReportRow), [{**_report_row(report_id), "profile": profile}])
        _store_reviews(conn, [(1, "split", ["a"], ["b"])])
        cache = MatchCache()
        reads = MatchReads(conn, cache)
        reads.profiles(["a", "b", "c"])
        assert cache.reviews == {"c": []}
        assert reads.constraints({"a", "c"}) == ([], [("a", "b")])
        assert sorted(cache.reviews) == ["a", "c"]
        assert [r.position for r in cache.reviews["a"]] == [1]


def test_score_memos_start_over_between_articles_never_during_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """A memo past its cap is emptied when the pipeline moves to the next article: fetched twice while
    one article is matched (the walk, then the clustering), it keeps what the first fetch scored."""
    monkeypatch.setattr(MatchCache, "MAX_EDGES", 2)
    monkeypatch.setattr(MatchCache, "MAX_SCORES", 2)
    cache = MatchCache()
    pairs = [(f"a{i}", "b") for i in range(3)]
    score = score_pair(_profile("a0"), _profile("b"), DEFAULT_CONFIG)
    cache.edges(DEFAULT_CONFIG).update(dict.fromkeys(pairs, 0.5))
    cache.scores(DEFAULT_CONFIG).update(dict.fromkeys(pairs, score))
    assert len(cache.edges(DEFAULT_CONFIG)) == len(cache.scores(DEFAULT_CONFIG)) == 3
    cache.moved_to(7)
    assert cache.position == 7
    assert cache.edges(DEFAULT_CONFIG) == {}
    assert cache.scores(DEFAULT_CONFIG) == {}
