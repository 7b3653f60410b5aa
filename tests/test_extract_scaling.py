"""Long reports: the look-ups that keep extraction near-linear answer exactly as the scans they replaced.

Each index is checked against the plain scan on generated input, and whole extractions are compared with
the scans patched back in, on the demo corpus, the five seed reports and long invented agency copy, also
run together as one sentence (a stripped page without full stops). Timing is never asserted here; the
measurements live in the changes that introduced the indexes. The bounds that keep roles and organisation
names from growing with the page have their own cases at the end.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extract import dates, organizations, people, places, report, zones
from extract.intervals import OverlapIndex, SentenceIndex
from extract.lexicon import HONORIFICS, ORG_HEADS, TITLE_WORDS, WEAK_HEADS
from extract.names import could_be_name_word, fold
from extract.organizations import OrgMention
from extract.report import extract_report
from extract.spans import Span, words
from extract.substrings import SubstringFinder
from ingest.article import Article
from ingest.sources import iter_articles
from tests.conftest import SEEDS

CORPUS = Path(__file__).resolve().parents[1] / "examples" / "corpus"

# --- long invented agency copy (every person, body and place is fictional, or a real country's name) ---

_FIRST = ("Ada", "Joren", "Irena", "Paulo", "Sunniva", "Tomas", "Mirela", "Oskar", "Lene",
          "Bastian", "Ilka", "Radu", "Vesna", "Anouk", "Corvin", "Edda", "Fabian", "Greta", "Hollis",
          "Ines")  # fmt: skip
_LAST = ("Rell", "Haldane", "Castellan", "Ardent", "Roos", "Vantrell", "Okonde", "Marisch", "Delvaux",
         "Pellinger", "Quarrie", "Stanmore", "Tillbrook", "Varga", "Wendell", "Yorrick",
         "Zamfir", "Brisk")  # fmt: skip
_BODY = ("Coastal Resilience", "Inland Ports", "River Safety", "Grain Standards", "Harbour Pilots",
         "Fisheries Data", "Bridge Inspection", "Seed Banking")  # fmt: skip
_HEAD = ("Alliance", "Council", "Agency", "Office", "Commission", "Board")
_COUNTRY = ("Veloria", "Kestria", "Orvania", "Lundria", "Chile", "Norway")
_CITY = ("Lundmark", "Orva", "Sarnby", "Kestel")
_TITLE = ("Minister", "Director-General", "Ambassador", "Secretary-General", "Deputy Minister", "Mayor")
_MONTH = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")  # fmt: skip


def _person(rng: random.Random, n: int) -> tuple[str, str]:
    # Surnames vary with n, so a long text keeps naming new people (and the lists of mentions keep growing).
    first = rng.choice(_FIRST)
    last = rng.choice(_LAST) + ("" if n % 3 == 0 else f"{'aeiou'[n % 5]}{'nrstv'[(n // 5) % 5]}{'ko'[n % 2]}")
    return first, last


def _organization(rng: random.Random, n: int) -> tuple[str, str]:
    name = f"{rng.choice(_BODY)} {rng.choice(_HEAD)}"
    return name, "".join(w[0] for w in name.split()) + "XYZW"[n % 4]


def _paragraph(rng: random.Random, n: int) -> str:
    f1, l1 = _person(rng, n)
    f2, l2 = _person(rng, n + 7)
    f3, l3 = _person(rng, n + 13)
    org, acr = _organization(rng, n)
    country, city = rng.choice(_COUNTRY), rng.choice(_CITY)
    day, month, year = rng.randint(1, 28), rng.choice(_MONTH), rng.randint(2015, 2024)
    title1, title2 = rng.choice(_TITLE), rng.choice(_TITLE)
    sentences = [
        f"On {day} {month} {year}, {title1} {f1} {l1} met {title2} {f2} {l2} of the {org} ({acr}) in {city}.",
        "The two officials discussed river transport, flood defences and the training of port staff.",
        f"{f3} {l3}, Deputy Director of the {acr} regional office, said the talks were useful.",
        f"Mr. {l1} told reporters that {country} would join a working group of the {acr} next year.",
        f"{f2} {l2} added that {f1} {l1} had invited him to a second visit to {city}.",
        f"The Minister of Foreign Affairs of {country} {f1} {l1} welcomed the {org}'s plan.",
        f"Later, {l2} and {l3} visited the harbour, where Ms. {l3} spoke with {f1} {l1} about dredging.",
        f"The Special Envoy of the Secretary-General (SESG) {f3} {l3} joined by videoconference.",
        f"Dr. {l2} of the {city} {rng.choice(_HEAD)} said {f1} {l1} would return on Tuesday.",
        f"A two-day seminar held in {city} will follow; {f3} {l3} and {f2} {l2} are expected to attend.",
    ]
    rng.shuffle(sentences)
    return " ".join(sentences[: rng.randint(4, len(sentences))])


def news_text(size: int, seed: int = 0) -> str:
    """About ``size`` characters of invented agency copy: a dateline, paragraphs, a related-news list."""
    rng = random.Random(seed)
    parts = [f"LUNDMARK, 14 March 2023 - {_paragraph(rng, 0)}"]
    total, n = len(parts[0]), 1
    while total < size:
        piece = _paragraph(rng, n)
        if n % 40 == 0:
            piece = "Related stories\n" + piece
        parts.append(piece)
        total += len(piece) + 2
        n += 1
    parts.append("Last news\n14.03.2023\nHarbour drill in Lundmark\n13.03.2023\nNew ferry line to Orva")
    return "\n\n".join(parts)


def one_sentence_text(size: int, seed: int = 0) -> str:
    """The agency copy with no sentence break: full stops (but an honorific's) and line breaks are commas."""
    return re.sub(r"(?<![MD][rs])\.(?=\s|$)", ",", news_text(size, seed)).replace("\n", " ")


def table_text(size: int, seed: int = 0) -> str:
    """A stripped table: titled names, bodies and bare names side by side, no punctuation at all."""
    rng = random.Random(seed)
    cells: list[str] = []
    while sum(len(c) + 1 for c in cells) < size:
        first, last = _person(rng, len(cells))
        body, _ = _organization(rng, len(cells))
        cells.append(rng.choice([f"{rng.choice(_TITLE)} {first} {last}", body, f"Office of {body}", last]))
    return " ".join(cells)


# Short invented texts for the paths the long copy does not take: day/month-ambiguous slashed dates and
# many list headings that prose follows.
EDGE_TEXTS = {
    "slashed dates": (
        "The envoy met the mayor on 3/4/2021 in Orva. Talks resumed on 5/6/2021 and again on 6/5/2021.\n"
        "Minister Ada Rell said the April round, held on 4/3/2021, had gone well.\n"
        "Ms. Rell met Joren Haldane.\n"
        "On 7/8/2021 and 9/10/2021 the Inland Ports Council (IPC) met; IPC Director Lene Varga attended."
    ),
    "many list headings": "\n".join(
        f"Related stories\nMinister Ada Rell met Director Joren Haldane in Orva on {i % 27 + 1} May 2022."
        for i in range(30)
    )
    + "\nLast news\n01.08\nMinister opens bridge\n31.07\nFestival of songs begins",
}

# --- the scans the indexes replaced, as references ---


class _ScanOverlaps:
    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        self._held = list(spans)

    def overlaps(self, start: int, end: int) -> bool:
        return any(x < end and start < y for x, y in self._held)

    def add(self, start: int, end: int) -> None:
        self._held.append((start, end))


class _ScanSentences:
    def __init__(self, sentences: Sequence[Span]) -> None:
        self._sentences = sentences

    def at(self, offset: int) -> Span | None:
        return next((s for s in self._sentences if s.start <= offset < s.end), None)


class _ScanRoleOrganizations:
    def __init__(self, orgs: list[OrgMention], text: str) -> None:
        self._orgs, self._text = orgs, text

    def __call__(self, role: str | None) -> str | None:
        if not role:
            return None
        inside = [o for o in self._orgs if o.key != "un" and self._text[o.start : o.end] in role]
        inside.sort(key=lambda o: (o.rule != "minister-title", -(o.end - o.start)))
        return inside[0].value if inside else None


class _ScanProseAfter:
    def __init__(self, all_lines: list[Span]) -> None:
        self._lines = all_lines

    def __call__(self, i: int) -> bool:
        rest = [ln.text.strip() for ln in self._lines[i:] if ln.text.strip()]
        sentences = sum(1 for ln in rest if zones._SENTENCE_END.search(ln) and len(ln.split()) >= 4)
        return sentences > zones._LIST_PROSE_SHARE * len(rest)


def _scan_months_named(text: str) -> frozenset[int]:
    return frozenset(n for n in range(1, 13) if re.search(dates._month_name(n), text))


def _scan_search_tail(pattern: re.Pattern[str], text: str, lo: int, hi: int) -> int | None:
    m = pattern.search(text[lo:hi])
    return None if m is None else lo + m.start()


def _scan_phrase_spans(text: str, tokens: list[Span]) -> list[tuple[int, int]]:
    """The walks from every head and the comparison of every pair, as before they were remembered."""
    found: list[tuple[int, int]] = []
    for h in _heads(tokens):
        i, j = _scan_walks(text, tokens, h)
        low = fold(tokens[h].text)
        if (i == h and j == h) or (i == h and low in WEAK_HEADS):
            continue
        if j - i < organizations._MAX_ORG_WORDS:
            found.append((i, j))
    return _scan_outermost(found)


def _heads(tokens: list[Span]) -> list[int]:
    return [h for h, tok in enumerate(tokens) if fold(tok.text) in ORG_HEADS and tok.text[0].isupper()]


def _scan_walks(text: str, tokens: list[Span], h: int) -> tuple[int, int]:
    adjacent = organizations._adjacent
    i = h
    while i > 0 and adjacent(text, tokens[i - 1], tokens[i]):
        prev = tokens[i - 1].text
        plow = fold(prev)
        if (
            not prev[0].isupper()
            or plow in organizations._LEFT_STOP
            or (plow in TITLE_WORDS and plow != "general")
        ):
            break
        i -= 1
    j = h
    while (
        j + 2 < len(tokens)
        and fold(tokens[j + 1].text) in organizations._CONNECTORS
        and adjacent(text, tokens[j], tokens[j + 1])
    ):
        k = j + 2
        if tokens[k].text == "the" and k + 1 < len(tokens):
            k += 1
        if not (adjacent(text, tokens[k - 1], tokens[k]) and tokens[k].text[0].isupper()):
            break
        end = k
        while end < len(tokens) and adjacent(text, tokens[end - 1], tokens[end]):
            word = tokens[end].text
            nxt = tokens[end + 1].text if end + 1 < len(tokens) else ""
            if (
                not word[0].isupper()
                or fold(word) in HONORIFICS
                or (could_be_name_word(word) and could_be_name_word(nxt))
            ):
                break
            end += 1
        if end == k:
            break
        j = end - 1
    return i, j


def _scan_outermost(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    return [s for s in spans if not any(o != s and o[0] <= s[0] and s[1] <= o[1] for o in spans)]


def _scan_title_acronyms(
    text: str, sentence: Span, tokens: list[Span], acronyms: organizations.DocumentAcronyms
) -> None:
    for m in organizations._ACRONYM_AFTER.finditer(text, sentence.start, sentence.end):
        before = [t for t in tokens if t.end <= m.start()][-8:]
        caps = [t for t in before if t.text[0].isupper()]
        if m.group("acr") in acronyms.orgs or not caps:
            continue
        if any(fold(t.text) in TITLE_WORDS and fold(t.text) != "general" for t in caps[:3]):
            acronyms.titles.add(m.group("acr"))


# Patterns as they were written before possessive blanks and a whole-line match replaced their backtracking.
_FORMER_PAREN_BEFORE = re.compile(r"\([^()]{1,15}\)\s*,?\s*$")
_FORMER_NUMBER_ONLY = re.compile(r"^\s*[\d\s.,:/\-]*\s*$")
_FORMER_LIST_HEADING = re.compile(
    zones._LIST_HEADING.pattern.replace(r"\s*+:?\s*+$", r"\s*:?\s*$"), re.IGNORECASE
)


def _extract_with_scans(
    monkeypatch: pytest.MonkeyPatch, text: str, published: str | None
) -> dict[str, object]:
    with monkeypatch.context() as m:
        m.setattr(people, "OverlapIndex", _ScanOverlaps)
        m.setattr(organizations, "OverlapIndex", _ScanOverlaps)
        m.setattr(report, "SentenceIndex", _ScanSentences)
        m.setattr(report, "_RoleOrganizations", _ScanRoleOrganizations)
        m.setattr(zones, "_ProseAfter", _ScanProseAfter)
        m.setattr(dates, "_months_named_in", _scan_months_named)
        m.setattr(dates, "OverlapIndex", _ScanOverlaps)
        m.setattr(people, "_search_tail", _scan_search_tail)
        m.setattr(organizations, "_phrase_spans", _scan_phrase_spans)
        m.setattr(organizations, "_title_acronyms", _scan_title_acronyms)
        return extract_report(text, published=published).to_dict()


# --- each index against its scan ---

OFFSET = st.integers(-3, 40)


@settings(max_examples=200, deadline=None)  # no timing in tests: a loaded machine is slow
@given(fixed=st.lists(st.tuples(OFFSET, OFFSET), max_size=20), asked=st.lists(st.tuples(OFFSET, OFFSET)))
def test_overlap_index_answers_as_the_scan(
    fixed: list[tuple[int, int]], asked: list[tuple[int, int]]
) -> None:
    """Spans given at construction may overlap or be empty; a free non-empty span asked about is then held,
    as the surname linker does, in whatever order the spans come."""
    index, scan = OverlapIndex(fixed), _ScanOverlaps(fixed)
    for start, end in asked:
        taken = scan.overlaps(start, end)
        assert index.overlaps(start, end) == taken
        if not taken and start < end:
            index.add(start, end)
            scan.add(start, end)
        elif start < end:
            with pytest.raises(ValueError, match="overlaps"):
                index.add(start, end)


def test_overlap_index_refuses_an_empty_span() -> None:
    with pytest.raises(ValueError, match="empty"):
        OverlapIndex([]).add(4, 4)


CUTS = st.lists(st.integers(0, 60), max_size=30).map(sorted)


@settings(max_examples=200, deadline=None)  # no timing in tests: a loaded machine is slow
@given(cuts=CUTS, offsets=st.lists(st.integers(-3, 65), max_size=30))
def test_sentence_index_finds_what_the_scan_finds(cuts: list[int], offsets: list[int]) -> None:
    """Sentences in text order, not overlapping; empty and touching ones included."""
    sentences = [Span(a, b, "x" * (b - a)) for a, b in zip(cuts[::2], cuts[1::2], strict=False)]
    index, scan = SentenceIndex(sentences), _ScanSentences(sentences)
    for offset in offsets:
        assert index.at(offset) == scan.at(offset)


def test_sentence_index_refuses_sentences_out_of_order() -> None:
    with pytest.raises(ValueError, match="out of order"):
        SentenceIndex([Span(5, 9, "abcd"), Span(2, 4, "ab")])


NEEDLE = st.text(alphabet="ab\u00e9", max_size=5)


@settings(max_examples=200, deadline=None)  # no timing in tests: a loaded machine is slow
@given(needles=st.lists(NEEDLE, max_size=12), haystacks=st.lists(st.text(alphabet="ab\u00e9c", max_size=30)))
def test_substring_finder_finds_every_needle_in(needles: list[str], haystacks: list[str]) -> None:
    finder = SubstringFinder(needles)
    for haystack in haystacks:
        assert finder.found_in(haystack) == {n for n in needles if n in haystack}


@pytest.mark.parametrize(
    ("needles", "haystack", "expected"),
    [
        pytest.param(["he", "she", "his", "hers"], "ushers", {"he", "she", "hers"}, id="textbook"),
        pytest.param(["a", "aa", "aaa"], "aa", {"a", "aa"}, id="nested suffixes"),
        pytest.param(["abcd", "bc"], "abce", {"bc"}, id="inside a failed longer needle"),
        pytest.param(["", "x"], "", {""}, id="empty needle in empty haystack"),
        pytest.param([], "anything", set(), id="no needles"),
    ],
)
def test_substring_finder_cases(needles: list[str], haystack: str, expected: set[str]) -> None:
    assert SubstringFinder(needles).found_in(haystack) == expected


@st.composite
def _orgs_and_roles(draw: st.DrawFn) -> tuple[str, list[OrgMention], list[str | None]]:
    text = draw(st.text(alphabet="ab ", min_size=1, max_size=20))
    n = len(text)
    orgs = [
        OrgMention(start, end, f"org{i}", draw(st.sampled_from(["un", "x", "y"])), rule)
        for i, (start, end, rule) in enumerate(
            draw(
                st.lists(
                    st.tuples(
                        st.integers(0, n + 1),
                        st.integers(0, n + 1),
                        st.sampled_from(["minister-title", "org-head", "acronym-defined"]),
                    ),
                    max_size=12,
                )
            )
        )
    ]
    roles = draw(st.lists(st.one_of(st.none(), st.text(alphabet="ab ", max_size=12)), max_size=8))
    return text, orgs, roles


@settings(max_examples=200, deadline=None)  # no timing in tests: a loaded machine is slow
@given(case=_orgs_and_roles())
def test_role_organization_is_the_one_the_scan_picks(
    case: tuple[str, list[OrgMention], list[str | None]],
) -> None:
    text, orgs, roles = case
    fast, scan = report._RoleOrganizations(orgs, text), _ScanRoleOrganizations(orgs, text)
    for role in roles + roles:  # asked twice: the memo must answer as the first time
        assert fast(role) == scan(role)


LINE = st.sampled_from(
    ["", "  ", "Latest news", "01.08", "Minister opens bridge", "The envoy met the mayor on Monday.",
     "Short one.", "Four words end here!", "a b c d e f g h i j k l m n o p q r", "  The sides agreed.  "]
)  # fmt: skip


@settings(max_examples=200, deadline=None)  # no timing in tests: a loaded machine is slow
@given(texts=st.lists(LINE, max_size=25))
def test_prose_after_counts_as_the_scan(texts: list[str]) -> None:
    all_lines = [Span(0, len(t), t) for t in texts]
    fast, scan = zones._ProseAfter(all_lines), _ScanProseAfter(all_lines)
    for i in range(len(all_lines) + 1):
        assert fast(i) == scan(i)


@settings(max_examples=200, deadline=None)  # no timing in tests: a loaded machine is slow
@given(asked=st.lists(st.lists(st.sampled_from(["", "In March", "MAY day", "may", "Dec. 3", "December",
                                                "Marching", "JUNE", "june", " August,"])).map("".join)))  # fmt: skip
def test_the_months_a_text_names_are_what_twelve_searches_find(asked: list[str]) -> None:
    """The memo answers for the text asked about, whichever others were asked before."""
    for text in asked:
        assert dates._months_named_in(text) == _scan_months_named(text)


TAIL_PIECES = st.sampled_from(
    ["Mr", "Mr.", "Mister", "H.E.", "H. E.", "Sir", "Dr", "(", ")", "(ab)", "(ACR)", "(abcdefghijklmno)",
     "(abcdefghijklmnop)", "( a, b )", ",", " ", "   ", "\u00a0", "\n", "X", "a", ".", "-", "\u00e9"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)  # no timing in tests: a loaded machine is slow
@given(pieces=st.lists(TAIL_PIECES, max_size=16), cuts=st.tuples(st.integers(0, 120), st.integers(0, 120)))
def test_the_end_of_a_prefix_is_found_as_a_search_of_the_whole_prefix_finds_it(
    pieces: list[str], cuts: tuple[int, int]
) -> None:
    """An honorific, "(ACR)" or comma closing ``text[lo:hi]``, looked for in a window at its end; the paren
    pattern is also checked against its former spelling without possessive blanks."""
    text = "".join(pieces)
    lo, hi = sorted(min(c, len(text)) for c in cuts)
    for pattern, former in [
        (people._HONORIFIC_BEFORE, people._HONORIFIC_BEFORE),
        (people._PAREN_BEFORE, _FORMER_PAREN_BEFORE),
        (people._COMMA_BEFORE, people._COMMA_BEFORE),
    ]:
        assert people._search_tail(pattern, text, lo, hi) == _scan_search_tail(former, text, lo, hi)


# Few words, so that heads, "of" links (capitalised ones continue a run) and name pairs meet often.
ORG_WORDS = st.sampled_from(
    ["Office", "Bureau", "Group", "Of", "of", "the", "The", "Mr", "Ada", "Rell", "General"]
)
GAPS = st.sampled_from([" ", " ", " ", " ", " ", "  ", "\n", ", ", "\u00a0"])


@settings(max_examples=500, deadline=None)  # no timing in tests: a loaded machine is slow
@given(pairs=st.lists(st.tuples(ORG_WORDS, GAPS), max_size=60))
def test_remembered_phrase_walks_find_what_walking_from_every_head_finds(
    pairs: list[tuple[str, str]],
) -> None:
    """Runs of capitalised words with many heads and links, where walks cross what earlier ones walked."""
    text = "".join(word + gap for word, gap in pairs)
    tokens = words(text)
    walks = organizations._PhraseWalks(text, tokens)
    for h in _heads(tokens):  # in text order, as extraction asks
        assert (walks.left(h), walks.right(h)) == _scan_walks(text, tokens, h)
    assert organizations._phrase_spans(text, tokens) == _scan_phrase_spans(text, tokens)


@settings(max_examples=300, deadline=None)  # no timing in tests: a loaded machine is slow
@given(spans=st.lists(st.tuples(st.integers(0, 8), st.integers(0, 8)), max_size=16))
def test_outermost_spans_are_those_no_other_contains(spans: list[tuple[int, int]]) -> None:
    """Repeated spans included: a span equal to another does not hide it."""
    assert organizations._outermost(spans) == _scan_outermost(spans)


ACRONYM_PIECES = st.sampled_from(
    ["(SRSG)", "( SRSG )", "(Ab)", "(UN)", "(x)", "(", ")", " ", "    ", "Special", "Representative",
     "General", "Secretary", "of", "the", "Office", "Ada", "Rell", "1990", ","]
)  # fmt: skip


@settings(max_examples=300, deadline=None)  # no timing in tests: a loaded machine is slow
@given(pieces=st.lists(ACRONYM_PIECES, max_size=30), defined=st.sampled_from([set(), {"SRSG"}, {"Ab"}]))
def test_title_acronyms_are_those_the_blank_led_search_found(pieces: list[str], defined: set[str]) -> None:
    text = " ".join(pieces)
    sentence, tokens = Span(0, len(text), text), words(text)
    fast, scan = organizations.DocumentAcronyms(), organizations.DocumentAcronyms()
    for acronyms in (fast, scan):
        acronyms.orgs = dict.fromkeys(defined, ("Body", "body", "acronym-defined"))
    organizations._title_acronyms(text, sentence, tokens, fast)
    _scan_title_acronyms(text, sentence, tokens, scan)
    assert fast.titles == scan.titles


AFTER_PIECES = st.sampled_from(
    ["Foreign", "Affairs", "Ministry", "office", " ", "  ", "\n", "-", "met", "and the", "who", ",", ";",
     "(SRSG)", "(the", "said", "x"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)  # no timing in tests: a loaded machine is slow
@given(pieces=st.lists(AFTER_PIECES, max_size=20), cuts=st.tuples(st.integers(0, 150), st.integers(0, 150)))
def test_what_follows_a_name_is_read_in_place_as_from_a_copy(
    pieces: list[str], cuts: tuple[int, int]
) -> None:
    """The end of an appositive role and an organisation continuing a place, read in the text itself."""
    text = " ".join(pieces)
    lo, hi = sorted(min(c, len(text)) for c in cuts)
    stop, copied = people._ROLE_END.search(text, lo, hi), people._ROLE_END.search(text[lo:hi])
    assert (stop and stop.start() - lo) == (copied and copied.start())
    assert bool(places._ORG_CONTINUES.match(text, lo, hi)) == bool(places._ORG_CONTINUES.match(text[lo:hi]))


LINE_PIECES = st.sampled_from(
    ["Latest", "news", "read more", "The", "most read", "on this topic", ":", " ", "   ", "\t", "\u00a0", "\n",
     "1", "2023", ".", ",", "/", "-", "x"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)  # no timing in tests: a loaded machine is slow
@given(pieces=st.lists(LINE_PIECES, max_size=20))
def test_line_patterns_match_the_lines_their_former_spelling_matched(pieces: list[str]) -> None:
    line = "".join(pieces)
    assert _FORMER_LIST_HEADING.pattern != zones._LIST_HEADING.pattern
    assert bool(zones._LIST_HEADING.match(line)) == bool(_FORMER_LIST_HEADING.match(line))
    assert bool(zones._NUMBER_ONLY.fullmatch(line)) == bool(_FORMER_NUMBER_ONLY.match(line))


# --- whole extractions, with the scans patched back in ---


def _corpus() -> list[tuple[str, str, str | None]]:
    cases = []
    for article in iter_articles([str(CORPUS)]):
        assert isinstance(article, Article), article
        cases.append((f"corpus {Path(article.source).name}", article.text, article.published))
    return cases


def _seeds() -> list[tuple[str, str, str | None]]:
    return [(f"seed {p.name[:3]}", p.read_text(encoding="utf-8"), None) for p in sorted(SEEDS.glob("*.txt"))]


REPORTS = [
    *_corpus(),
    *_seeds(),
    ("invented 40k", news_text(40_000, seed=5), None),
    ("invented 8k, published", news_text(8_000, seed=6), "2023-03-20"),
    ("invented 12k as one sentence", one_sentence_text(12_000, seed=7), None),
    ("invented 8k table", table_text(8_000, seed=8), "2023-03-20"),
    *((f"edge {name}", text, "2021-11-02") for name, text in EDGE_TEXTS.items()),
]


def test_every_seed_report_is_compared(seeds_dir: Path) -> None:
    compared = [r for r in REPORTS if r[0].startswith("seed")]
    assert compared
    assert len(compared) == len(list(seeds_dir.glob("*.txt")))


@pytest.mark.parametrize(("text", "published"), [r[1:] for r in REPORTS], ids=[r[0] for r in REPORTS])
def test_extraction_is_what_the_scans_give(
    monkeypatch: pytest.MonkeyPatch, text: str, published: str | None
) -> None:
    fast = extract_report(text, published=published).to_dict()
    assert fast == _extract_with_scans(monkeypatch, text, published)


FRAGMENTS = st.sampled_from(
    ["Mr. ", "Ms. Rell", "Minister ", "Ada Rell", " Ada Rell ", "Joren Haldane", ", Director of ", " said.",
     "the Harbour Agency (HA)", " HA ", "(SESG) ", "met with", "On 3/4/2021, ", "5/6/2020", " in May ",
     "Related stories\n", "Last news\n01.08\n", "\n\n", ". ", ",", "Minister of Foreign Affairs of Chile "]
)  # fmt: skip


def _outcome(extract: Callable[[], dict[str, object]]) -> object:
    try:
        return extract()
    except (LookupError, ValueError) as e:  # the same failure is the same outcome
        return type(e).__name__


@settings(max_examples=150, deadline=None)
@given(pieces=st.lists(st.one_of(FRAGMENTS, st.text(max_size=6)), max_size=40))
def test_extraction_is_what_the_scans_give_on_junk(pieces: list[str]) -> None:
    text = "".join(pieces)
    with pytest.MonkeyPatch.context() as monkeypatch:
        fast = _outcome(lambda: extract_report(text, published=None).to_dict())
        assert fast == _outcome(lambda: _extract_with_scans(monkeypatch, text, None))


# --- the bounds: a role or an organisation's name no longer grows with the page ---

_AFFAIRS = " of Foreign Affairs" * 13  # 39 words, none a title
_ECONOMIC = " Economic" * 39

ROLE_CASES = [
    {
        "description": "a title 40 words before the name is read",
        "input": f"Minister{_AFFAIRS} Ada Rell met the press.",
        "expected": f"Minister{_AFFAIRS}",
    },
    {
        "description": "a title 41 words before the name is out of reach",
        "input": f"Minister Economic{_AFFAIRS} Ada Rell said the talks went well.",
        "expected": None,
    },
    {
        "description": "an appositive role of 40 words is read whole",
        "input": f"Ada Rell, Minister{_ECONOMIC}.",
        "expected": f"Minister{_ECONOMIC}.",
    },
    {
        "description": "an appositive role is cut after 40 words",
        "input": f"Ada Rell, Minister{_ECONOMIC} Economic.",
        "expected": f"Minister{_ECONOMIC}",
    },
]


@pytest.mark.parametrize("case", ROLE_CASES, ids=[c["description"] for c in ROLE_CASES])
def test_a_role_is_at_most_forty_words(case: dict[str, Any]) -> None:
    (rell,) = extract_report(case["input"], published="2023-03-15").of("participant")
    assert rell.attrs["role"] == case["expected"]


ORG_CASES = [
    {
        "description": "a name of 24 words is read",
        "input": f"Yesterday the{' Economic' * 23} Council met.",
        "expected": [f"{'Economic ' * 23}Council"],
    },
    {
        "description": "a run of 25 capitalised words is no name",
        "input": f"Yesterday the{' Economic' * 24} Council met.",
        "expected": [],
    },
    {
        "description": "nor does it define the acronym after it",
        "input": f"Yesterday the{' Economic' * 24} Council (ECX) met. The ECX said so.",
        "expected": [],
    },
    {
        "description": "a shorter name at its end is read, with its acronym",
        "input": f"Yesterday the{' Economic' * 24} Council of Trade Bureau (TB) met. The TB said so.",
        "expected": ["Trade Bureau"] * 3,
    },
]


@pytest.mark.parametrize("case", ORG_CASES, ids=[c["description"] for c in ORG_CASES])
def test_an_organisation_name_is_at_most_twenty_four_words(case: dict[str, Any]) -> None:
    found = extract_report(case["input"], published="2023-03-15").of("organization")
    assert [f.value for f in found] == case["expected"]
