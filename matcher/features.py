"""Pair scoring: how likely two reports describe the same event, from when, who, where, how and what.

Each feature contributes a signed amount of evidence (log-odds); the score is the logistic of their sum.
Missing information contributes nothing. Conflicting dates or formats veto the pair outright, whatever the
rest says. A score depends only on the two profiles (no corpus statistics), as DESIGN.md requires.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from rapidfuzz import fuzz, process

from matcher.profile import ReportProfile
from matcher.rarity import weighted_cosine
from matcher.signals import content_words, dice, figures, name_words, years


@dataclass(frozen=True, kw_only=True)
class MatcherConfig:
    """Weights (log-odds) and thresholds; the comments say why each value is what it is."""

    merge_threshold: float = 0.8
    review_threshold: float = 0.5
    # Two reports that merely share a blocking key are more likely different events than the same one.
    bias: float = -2.5
    same_day: float = 2.0
    # Overlapping windows: this much when the wider window is at most ``precise_days`` long, less if wider.
    date_overlap: float = 0.75
    precise_days: int = 7
    # Windows further apart than this many days veto the pair (0: they must share a day).
    date_tolerance_days: int = 0
    people_shared: float = 2.5
    # One shared person is weaker evidence than two: a minister meets many people.
    single_person_factor: float = 0.7
    people_disjoint: float = -1.5
    mention_factor: float = 0.5
    organizations_shared: float = 0.75
    organizations_disjoint: float = -0.25
    place_same: float = 0.75
    place_differs: float = -1.5
    format_same: float = 0.25
    # Text: log-odds per unit of content-word similarity, counted from ``text_center`` (below it the
    # evidence is negative), clipped to [``text_min``, ``text_max``]. The similarity is the mean of the
    # words' Dice coefficient and their cosine with each word weighted by its rarity in general English
    # (``matcher.rarity``: sharing "rehab" says more than sharing "announced"). Rarity alone lifts two
    # events of one kind as much as one event (they share the kind's rare words: "DUI", "Chargers"), so
    # the unweighted Dice keeps half the say. Two outlets' reports of one event score about 0.25, two
    # events of the same kind about 0.1. Weight and center were chosen on ECB+ odd topics and synthetic
    # seed 5; at a weight of 12.4 two events of one odd topic merge whole (hard negatives 2%).
    text_weight: float = 12.0
    text_center: float = 0.075
    text_min: float = -2.5
    text_max: float = 4.0
    min_words: int = 5
    # Names in the text (capitalised words that do not open a sentence): overlap coefficient, same shape.
    names_weight: float = 4.5
    names_center: float = 0.2
    names_min: float = -1.5
    names_max: float = 2.0
    min_names: int = 2
    # Years the texts mention: none in common is evidence of two different events (an election of 2008
    # and one of 2013), though background years ("since 1991") make it weak.
    years_disjoint: float = -0.5
    years_shared: float = 0.0
    # Figures both texts state (a toll of 1,247, a score of 53-3, a sum): log-odds per unit of overlap
    # coefficient, discounted when only one is shared, capped. A different event of the same kind rarely
    # repeats the same specific numbers; none in common says little (outlets pick different details).
    figures_weight: float = 4.0
    single_figure_factor: float = 0.5
    figures_max: float = 3.0
    name_ratio: float = 90.0


DEFAULT_CONFIG = MatcherConfig()


@dataclass(frozen=True, kw_only=True)
class PairScore:
    """``score`` in [0, 1] (0 when vetoed); ``features`` each feature's signed log-odds contribution,
    including the ``bias``; ``reasons`` a short human phrase per feature; ``veto`` why the pair can never
    be one event, or None."""

    score: float
    features: Mapping[str, float]
    veto: str | None = None
    reasons: Mapping[str, str] = field(default_factory=dict)

    @property
    def evidence(self) -> float:
        """The score the features alone would give, ignoring any veto (to rank and explain)."""
        return logistic(sum(self.features.values()))


def logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def score_pair(a: ReportProfile, b: ReportProfile, config: MatcherConfig = DEFAULT_CONFIG) -> PairScore:
    """Score two reports; symmetric in ``a`` and ``b`` except for the order dates appear in a veto."""
    features: dict[str, float] = {"bias": config.bias}
    reasons: dict[str, str] = {"bias": "prior"}
    vetoes: list[str] = []
    for name, scorer in _FEATURES:
        value, reason, veto = scorer(a, b, config)
        features[name] = value
        reasons[name] = reason
        if veto:
            vetoes.append(veto)
    veto = "; ".join(vetoes) or None
    score = 0.0 if veto else logistic(sum(features.values()))
    return PairScore(score=score, features=features, veto=veto, reasons=reasons)


_Result = tuple[float, str, str | None]


def _date(a: ReportProfile, b: ReportProfile, cfg: MatcherConfig) -> _Result:
    if a.date_from is None or a.date_to is None or b.date_from is None or b.date_to is None:
        return 0.0, "undated", None
    slack = timedelta(days=cfg.date_tolerance_days)
    if a.date_to + slack < b.date_from or b.date_to + slack < a.date_from:
        message = f"dates differ: {_span(a)} vs {_span(b)}"
        return 0.0, message, message
    if a.exact_date and b.exact_date and a.date_from == b.date_from:
        return cfg.same_day, f"same day {_span(a)}", None
    widest = max((a.date_to - a.date_from).days, (b.date_to - b.date_from).days) + 1
    value = cfg.date_overlap * min(1.0, cfg.precise_days / widest)
    return value, f"{_span(a)} overlaps {_span(b)}", None


def _span(p: ReportProfile) -> str:
    if p.date_from is None or p.date_to is None:
        return "undated"
    if p.date_from == p.date_to:
        return p.date_from.isoformat()
    return f"{p.date_from.isoformat()}..{p.date_to.isoformat()}"


def _people(a: ReportProfile, b: ReportProfile, cfg: MatcherConfig) -> _Result:
    if a.people and b.people:
        shared, smaller = shared_names(a.people, b.people, cfg.name_ratio)
        if shared:
            value = cfg.people_shared * _strength(shared, smaller, cfg)
            return value, f"{shared} of {smaller} shared", None
    a_all, b_all = a.people | a.people_weak, b.people | b.people_weak
    if a_all and b_all:
        shared, smaller = shared_names(a_all, b_all, cfg.name_ratio)
        if shared:
            value = cfg.people_shared * cfg.mention_factor * _strength(shared, smaller, cfg)
            return value, f"{shared} of {smaller} shared, counting mentions", None
    if a.people and b.people:
        return cfg.people_disjoint, "no participant in common", None
    return 0.0, "unknown on one side", None


def _strength(shared: int, smaller: int, cfg: MatcherConfig) -> float:
    """Overlap coefficient, discounted when it rests on a single person."""
    return (shared / smaller) * (1.0 if shared >= 2 else cfg.single_person_factor)


def _organizations(a: ReportProfile, b: ReportProfile, cfg: MatcherConfig) -> _Result:
    if not (a.organizations and b.organizations):
        return 0.0, "unknown on one side", None
    shared, smaller = shared_names(a.organizations, b.organizations, cfg.name_ratio)
    if not shared:
        return cfg.organizations_disjoint, "none in common", None
    return cfg.organizations_shared * shared / smaller, f"{shared} of {smaller} shared", None


def _place(a: ReportProfile, b: ReportProfile, cfg: MatcherConfig) -> _Result:
    if not (a.places and b.places):
        return 0.0, "unknown on one side", None
    shared, _ = shared_names(a.places, b.places, cfg.name_ratio)
    if shared:
        return cfg.place_same, "same place", None
    return cfg.place_differs, f"{', '.join(sorted(a.places))} vs {', '.join(sorted(b.places))}", None


def _format(a: ReportProfile, b: ReportProfile, cfg: MatcherConfig) -> _Result:
    if a.format is None or b.format is None:
        return 0.0, "unknown on one side", None
    if a.format != b.format:
        message = f"format differs: {a.format} vs {b.format}"
        return 0.0, message, message
    return cfg.format_same, f"both {a.format}", None


def _text(a: ReportProfile, b: ReportProfile, cfg: MatcherConfig) -> _Result:
    wa, wb = content_words(a.title, a.text), content_words(b.title, b.text)
    if min(len(wa), len(wb)) < cfg.min_words:
        return 0.0, "too short to compare", None
    plain, rare = dice(wa, wb), weighted_cosine(wa, wb)
    similarity = (plain + rare) / 2
    value = _clip(cfg.text_weight * (similarity - cfg.text_center), cfg.text_min, cfg.text_max)
    return value, f"words {similarity:.0%} alike: {plain:.0%} shared, {rare:.0%} weighted by rarity", None


def _names(a: ReportProfile, b: ReportProfile, cfg: MatcherConfig) -> _Result:
    na, nb = name_words(a.title, a.text), name_words(b.title, b.text)
    if min(len(na), len(nb)) < cfg.min_names:
        return 0.0, "too few names to compare", None
    shared = len(na & nb)
    similarity = shared / min(len(na), len(nb))
    value = _clip(cfg.names_weight * (similarity - cfg.names_center), cfg.names_min, cfg.names_max)
    return value, f"{shared} of {min(len(na), len(nb))} names in the text shared", None


def _years(a: ReportProfile, b: ReportProfile, cfg: MatcherConfig) -> _Result:
    ya, yb = years(a.title, a.text), years(b.title, b.text)
    if not (ya and yb):
        return 0.0, "no year on one side", None
    shared = sorted(set(ya) & set(yb))
    if shared:
        return cfg.years_shared, f"both mention {', '.join(map(str, shared))}", None
    return cfg.years_disjoint, f"{_year_list(ya)} vs {_year_list(yb)}", None


def _figures(a: ReportProfile, b: ReportProfile, cfg: MatcherConfig) -> _Result:
    fa, fb = figures(a.title, a.text), figures(b.title, b.text)
    if not (fa and fb):
        return 0.0, "no figure on one side", None
    shared = sorted(fa & fb, key=lambda f: (float(f), f))
    if not shared:
        return 0.0, "no figure in common", None
    smaller = min(len(fa), len(fb))
    factor = 1.0 if len(shared) >= 2 else cfg.single_figure_factor
    value = min(cfg.figures_max, cfg.figures_weight * len(shared) / smaller * factor)
    return value, f"{len(shared)} of {smaller} figures shared: {', '.join(shared[:5])}", None


def _year_list(counts: Counter[int]) -> str:
    return ", ".join(str(y) for y in sorted(counts))


def _clip(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


_FEATURES = (
    ("date", _date),
    ("participants", _people),
    ("organizations", _organizations),
    ("place", _place),
    ("format", _format),
    ("text", _text),
    ("names", _names),
    ("years", _years),
    ("figures", _figures),
)


def shared_names(a: frozenset[str], b: frozenset[str], ratio: float) -> tuple[int, int]:
    """How many names of the smaller set name someone in the other (one-to-one), and the smaller size.

    Names match when rapidfuzz's ``token_set_ratio`` reaches ``ratio``: word order, a missing first name and
    small spelling differences ("Berdimuhamedov"/"Berdimuhamedow") do not matter.
    """
    small, large = sorted((sorted(a), sorted(b)), key=lambda names: (len(names), names))
    remaining = list(large)
    shared = 0
    for name in small:
        found = process.extractOne(name, remaining, scorer=fuzz.token_set_ratio, score_cutoff=ratio)
        if found is not None:
            remaining.pop(found[2])
            shared += 1
    return shared, len(small)
