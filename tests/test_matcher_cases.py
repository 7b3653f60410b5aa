"""Hand-built report profiles about fictional people, shared by the matcher tests."""

from __future__ import annotations

from datetime import date
from typing import Any

from matcher import ReportProfile

# Two outlets writing up one meeting in their own words.
WATER_TALKS_A = (
    "The Minister of Water of Eldoria Anna Kovalenko held talks with the Chair of the Northern Rivers "
    "Commission Pieter Vandam by videoconference. The sides reviewed the seasonal allocation of the Silver "
    "River, the joint monitoring stations on the upper basin and the flood warning protocol agreed last "
    "spring. Kovalenko stressed that the new gauging network must be shared openly with downstream "
    "partners. Vandam welcomed the proposal to fund a regional training course for hydrologists and invited "
    "Eldorian experts to the commission's technical working group on sediment transport."
)
WATER_TALKS_B = (
    "Eldoria and the Northern Rivers Commission discussed the seasonal allocation of the Silver River during "
    "a video call between water minister Anna Kovalenko and commission chair Pieter Vandam. Both sides "
    "praised the joint monitoring stations on the upper basin. The minister proposed that data from the new "
    "gauging network be shared openly with downstream partners, and the chair backed a regional training "
    "course for hydrologists, inviting Eldorian experts to the technical working group on sediment "
    "transport."
)
# Different business of other people.
HARVEST_FAIR = (
    "Farmers from the Amber Valley cooperative opened the autumn harvest fair in Tarnow with a parade of "
    "tractors decorated with sunflowers. Cooperative spokesperson Lidia Ostrowska said orchard yields rose "
    "after a mild spring, while beekeepers reported a weak season. Visitors queued for cider tastings, a "
    "children's ploughing contest and a display of heritage apple varieties grown in the valley since the "
    "last century."
)


def profile(report_id: str, **fields: Any) -> ReportProfile:
    """A profile with ISO strings accepted for dates; ``exact_date`` follows from the dates."""
    for name in ("date_from", "date_to"):
        if isinstance(fields.get(name), str):
            fields[name] = date.fromisoformat(fields[name])
    if "date_from" in fields and "date_to" not in fields:
        fields["date_to"] = fields["date_from"]
    fields.setdefault(
        "exact_date", fields.get("date_from") is not None and fields["date_from"] == fields["date_to"]
    )
    for name in ("people", "people_weak", "organizations", "places"):
        fields[name] = frozenset(fields.get(name, ()))
    return ReportProfile(report_id=report_id, **fields)


KOVALENKO_VANDAM = {
    "people": {"anna kovalenko", "pieter vandam"},
    "organizations": {"ministry of water of eldoria", "northern rivers commission"},
}

# The meeting as a government site reports it (exact day) and as an agency does (only a range).
MINISTRY = profile(
    "r-ministry", date_from="2022-03-14", format="videoconference", text=WATER_TALKS_A, **KOVALENKO_VANDAM
)
AGENCY = profile(
    "r-agency", date_from="2022-03-08", date_to="2022-03-16", text=WATER_TALKS_B, **KOVALENKO_VANDAM
)
# The same two people a year later, described in near-identical words.
NEXT_YEAR = profile(
    "r-next-year",
    date_from="2023-03-01",
    date_to="2023-03-20",
    text=WATER_TALKS_A.replace("last spring", "two years ago"),
    **KOVALENKO_VANDAM,
)
# Same day, same people, but they met in person: another event (or a bad extraction); never auto-merged.
IN_PERSON = profile(
    "r-in-person", date_from="2022-03-14", format="in-person", text=WATER_TALKS_B, **KOVALENKO_VANDAM
)
FAIR = profile(
    "r-fair",
    date_from="2022-03-14",
    people={"lidia ostrowska"},
    organizations={"amber valley cooperative"},
    places={"tarnow"},
    text=HARVEST_FAIR,
)
