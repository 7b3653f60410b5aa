"""Human-readable reasons for a clustering decision, for the audit command and the review queue."""

from __future__ import annotations

from matcher.cluster import Candidate, Decision


def explain(decision: Decision) -> list[str]:
    """One line for the outcome, then one per candidate, strongest evidence first.

    e.g. ``merged with r2: score 0.88 from evidence +2.00 = prior -2.50, date +2.00 (same day
    2020-11-02), participants +2.50 (2 of 2 shared)`` (the score is the logistic of the evidence, the sum
    of the terms); ``kept apart from r5: dates differ: 2020-11-02 vs 2021-10-01..2021-10-15``.
    """
    lines = [_headline(decision)]
    shown = {c.report_id for c in decision.candidates}
    extra = [decision.best] if decision.best and decision.best.report_id not in shown else []
    for candidate in [*extra, *decision.candidates]:
        lines.append(_line(candidate, decision))
    return lines


def _headline(decision: Decision) -> str:
    rid = decision.report_id
    if decision.outcome == "merged":
        others = ", ".join(r for r in decision.cluster if r != rid)
        return f"{rid}: same event as {others}"
    if decision.outcome == "review":
        score = decision.best.score if decision.best else 0.0
        return f"{rid}: needs review with {decision.review_with} (score {score:.2f})"
    return f"{rid}: new event"


def _line(c: Candidate, decision: Decision) -> str:
    together = c.report_id in decision.cluster
    if c.constraint == "must_link":
        return f"merged with {c.report_id}: a reviewer said they are the same event"
    if c.constraint == "cannot_link":
        return f"kept apart from {c.report_id}: a reviewer said they are different events"
    if c.veto:
        return f"kept apart from {c.report_id}: {c.veto}"
    verb = "merged with" if together else "not merged with"
    evidence = sum(c.features.values())
    return f"{verb} {c.report_id}: score {c.score:.2f} from evidence {evidence:+.2f} = {_terms(c)}"


def _terms(c: Candidate) -> str:
    parts = [
        f"{'prior' if name == 'bias' else name} {value:+.2f}"
        + (f" ({c.reasons[name]})" if name in c.reasons and name != "bias" else "")
        for name, value in c.features.items()
        if value != 0.0
    ]
    return ", ".join(parts)
