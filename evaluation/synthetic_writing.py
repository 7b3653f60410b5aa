"""How outlets write up an event: templates, paraphrases, sentence orders, date styles and page clutter.

Each outlet has a fixed house style (ministry release, wire agency, newspaper, web dump, short brief), a
preferred transliteration and a preferred way of giving the date. Writing is a pure function of the event,
the outlet, the publication date and a ``random.Random``.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from evaluation.synthetic_world import Organisation, Person, Place, World

MONTHS: tuple[str, ...] = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
)
MONTHS += ("November", "December")
_AGENCY_MONTHS = (
    "Jan.",
    "Feb.",
    "March",
    "April",
    "May",
    "June",
    "July",
    "Aug.",
    "Sept.",
    "Oct.",
    "Nov.",
    "Dec.",
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

STYLES = ("ministry", "agency", "newspaper", "web", "brief")
DATE_STYLES = ("dmy", "mdy", "dotted", "weekday", "none")
FORMATS = ("videoconference", "in-person", "phone call")

# topic -> (short name for titles, phrase for sentences, sentences as tuples of paraphrases)
TOPICS: dict[str, tuple[str, str, tuple[tuple[str, ...], ...]]] = {
    "water": (
        "water",
        "the joint management of transboundary rivers",
        (
            (
                "The sides discussed the rational use of shared water resources.",
                "Talks focused on how the region shares its rivers.",
            ),
            (
                "Progress on the regional water strategy was reviewed.",
                "They took stock of the regional water strategy.",
            ),
            (
                "Both noted the risk of droughts for agriculture.",
                "The threat that drought poses to farmers was raised.",
            ),
        ),
    ),
    "energy": (
        "energy",
        "energy transit and new pipeline routes",
        (
            (
                "The parties discussed the diversification of energy export routes.",
                "New routes for energy exports were on the agenda.",
            ),
            (
                "Attention was paid to the security of transit pipelines.",
                "The safety of transit pipelines was discussed.",
            ),
            (
                "They agreed to prepare a roadmap for power grid interconnection.",
                "A roadmap to connect the power grids will be drafted.",
            ),
        ),
    ),
    "security": (
        "security",
        "regional security and counter-terrorism",
        (
            (
                "Special attention was paid to issues of regional and international security.",
                "Regional security dominated the talks.",
            ),
            (
                "The parties discussed joint efforts to counter terrorism and violent extremism.",
                "Countering extremism was a central theme.",
            ),
            (
                "Cross-border crime and human trafficking were also discussed.",
                "They also spoke about trafficking and cross-border crime.",
            ),
        ),
    ),
    "trade": (
        "trade",
        "trade and investment",
        (
            (
                "The sides reviewed the growth of bilateral trade turnover.",
                "Bilateral trade figures were reviewed.",
            ),
            (
                "Prospects for joint investment projects were considered.",
                "Possible joint investment projects were examined.",
            ),
            (
                "Simplifying customs procedures was named a priority.",
                "Faster customs clearance was called a priority.",
            ),
        ),
    ),
    "migration": (
        "migration",
        "labour migration",
        (
            (
                "The sides discussed the protection of the rights of migrant workers.",
                "Rights of labour migrants were discussed.",
            ),
            (
                "They considered a joint programme of pre-departure training.",
                "Training for workers before departure was proposed.",
            ),
        ),
    ),
    "climate": (
        "climate",
        "climate adaptation",
        (
            (
                "The parties exchanged views on adapting to climate change.",
                "Climate adaptation was high on the agenda.",
            ),
            (
                "The shrinking of glaciers in the mountains was a matter of concern.",
                "Both voiced concern about melting glaciers.",
            ),
            (
                "They agreed to cooperate ahead of the next climate conference.",
                "Joint preparation for the climate conference was agreed.",
            ),
        ),
    ),
    "transport": (
        "transport",
        "transport corridors",
        (
            (
                "The development of international transport corridors was discussed.",
                "New transport corridors were discussed.",
            ),
            (
                "The sides noted the potential of the railway linking their countries.",
                "The cross-border railway was praised.",
            ),
        ),
    ),
    "health": (
        "health",
        "cooperation in health care",
        (
            ("Cooperation in public health was discussed.", "Health cooperation featured in the talks."),
            (
                "They considered joint vaccination programmes.",
                "Joint vaccination programmes were considered.",
            ),
        ),
    ),
}

# Boilerplate an agency keeps for a pair of people and re-uses word for word the next time they meet.
BACKGROUND = (
    "The parties noted the constructive level of long-term cooperation between {country} and {partner}.",
    "{a} confirmed the commitment of {country} to the joint work on common challenges.",
    "The importance of regular political consultations was underlined.",
    "The two sides exchanged views on the agenda of forthcoming international events.",
    "It was noted that the partnership has developed dynamically in recent years.",
    "The interlocutors praised the results of previously reached agreements.",
    "{b} thanked {country} for its consistent support.",
    "The sides stressed the significance of the 2030 Agenda for Sustainable Development.",
    "Both expressed interest in intensifying contacts at the expert level.",
    "The meeting took place in a friendly and businesslike atmosphere.",
)
CLOSINGS = (
    "The parties agreed to continue the dialogue.",
    "At the end of the meeting, the sides agreed to stay in close contact.",
    "Both sides expressed readiness to further expand cooperation.",
    "The parties agreed to meet again before the end of the year.",
)


@dataclass(frozen=True, kw_only=True)
class Meeting:
    key: str
    date: dt.date
    first: Person
    second: Person
    format: str
    city: str
    topic: str
    background: tuple[int, ...]
    previous_key: str | None


@dataclass(frozen=True, kw_only=True)
class Incident:
    key: str
    date: dt.date
    kind: str
    place: Place
    city: str
    number: int


@dataclass(frozen=True, kw_only=True)
class Outlet:
    slug: str
    name: str
    style: str
    spelling: int
    date_style: str
    home: Place
    boilerplate_last: bool


def date_phrase(style: str, day: dt.date, published: dt.date) -> str:
    """The meeting day as an outlet writes it inside a sentence ("" for no date)."""
    if style == "dmy":
        return f"on {day.day} {MONTHS[day.month - 1]} {day.year}"
    if style == "mdy":
        return f"on {MONTHS[day.month - 1]} {day.day}, {day.year}"
    if style == "dotted":
        return f"on {day:%d.%m.%Y}"
    if style == "weekday":
        lag = (published - day).days
        if lag == 0:
            return "today"
        return f"on {WEEKDAYS[day.weekday()]}" if lag < 7 else ""
    return ""


def _sentence(text: str) -> str:
    return text[0].upper() + text[1:]


def _org_mention(organisation: Organisation, outlet: Outlet, rng: random.Random) -> str:
    if outlet.style == "agency" and rng.random() < 0.2:
        return organisation.misspelt_acronym(rng)
    choices = (organisation.name, *organisation.variants, organisation.acronym)
    return choices[outlet.spelling % len(choices)]


def _role(person: Person, outlet: Outlet, rng: random.Random) -> str:
    if person.organisation is None:
        return person.role
    return person.role.replace(person.organisation.name, _org_mention(person.organisation, outlet, rng))


def _partner(meeting: Meeting) -> str:
    second = meeting.second
    if second.organisation is not None:
        return f"the {second.organisation.acronym}"
    return second.place.country


def _format_clause(meeting: Meeting, style: str) -> str:
    if meeting.format == "videoconference":
        return "through videoconferencing" if style == "ministry" else "by video link"
    if meeting.format == "phone call":
        return "by telephone"
    return f"in {meeting.city}"


def _body(meeting: Meeting, outlet: Outlet, rng: random.Random) -> list[str]:
    _, _, sentences = TOPICS[meeting.topic]
    topical = [rng.choice(paraphrases) for paraphrases in sentences]
    fill = {
        "country": meeting.first.place.country,
        "partner": _partner(meeting),
        "a": meeting.first.surname_spelling(outlet.spelling),
        "b": meeting.second.surname_spelling(outlet.spelling),
    }
    background = [BACKGROUND[i].format(**fill) for i in meeting.background]
    if outlet.style == "agency":
        # An agency pastes its pair boilerplate in the same order every time (the hard-negative trap).
        return [*topical, *background] if outlet.boilerplate_last else [*background, *topical]
    body = topical + rng.sample(background, k=rng.randint(0, len(background)))
    rng.shuffle(body)
    return body


def _meeting_opening(meeting: Meeting, outlet: Outlet, published: dt.date, rng: random.Random) -> str:
    a = meeting.first.spelling(outlet.spelling)
    b = meeting.second.spelling(outlet.spelling)
    when = date_phrase(outlet.date_style, meeting.date, published)
    how = _format_clause(meeting, outlet.style)
    role_a, role_b = _role(meeting.first, outlet, rng), _role(meeting.second, outlet, rng)
    _, topic_phrase, _ = TOPICS[meeting.topic]
    if outlet.style == "ministry":
        sentence = f"the meeting of the {role_a} {a} with the {role_b} {b} was held {how}."
        return _sentence(f"{when}, {sentence}" if when else sentence)
    if outlet.style == "agency":
        verb = "spoke by telephone about" if meeting.format == "phone call" else "discussed"
        how = "" if meeting.format == "phone call" else f" {how}"
        return f"{role_a} {a} and {role_b} {b} {verb} {topic_phrase}{how} {when}".rstrip() + "."
    if outlet.style == "newspaper":
        verb = {"videoconference": "held a video call with", "phone call": "spoke by phone with"}.get(
            meeting.format, "met"
        )
        where = f" in {meeting.city}" if meeting.format == "in-person" else ""
        when = f" {when}" if when else ""
        return f"{a}, the {role_a}, {verb} {b}, {role_b},{where}{when}, officials said."
    surname_a = meeting.first.surname_spelling(outlet.spelling)
    surname_b = meeting.second.surname_spelling(outlet.spelling)
    when = f" {when}" if when else ""
    return f"{surname_a} and {surname_b} talked about {topic_phrase} {how}{when}."


def _meeting_title(meeting: Meeting, outlet: Outlet, rng: random.Random) -> str:
    surname_a = meeting.first.surname_spelling(outlet.spelling)
    surname_b = meeting.second.surname_spelling(outlet.spelling)
    short, _, _ = TOPICS[meeting.topic]
    titles = {
        "ministry": f"Meeting of the {_role(meeting.first, outlet, rng)} with the {_role(meeting.second, outlet, rng)}",
        "agency": f"{surname_a}, {surname_b} discuss {short}",
        "newspaper": f"{meeting.first.place.country} and {_partner(meeting)} pledge closer ties on {short}",
        "web": f"{surname_a} meets {surname_b}",
        "brief": f"{surname_a} talks to {surname_b}",
    }
    return titles[outlet.style]


_INCIDENT_TEXT: dict[str, tuple[str, tuple[str, ...]]] = {
    "flood": (
        "Floods hit {city}",
        (
            "Heavy rain caused severe flooding in {city}, {country}{when}.",
            "About {number} people were evacuated from low-lying districts.",
            "Rescue teams and volunteers distributed drinking water.",
            "Authorities warned that river levels could rise further.",
        ),
    ),
    "election": (
        "{country} votes in parliamentary election",
        (
            "Voters in {country} went to the polls{when} to elect a new parliament.",
            "Turnout was reported at {number} per cent by the central election commission.",
            "International observers monitored polling stations in {city}.",
            "Preliminary results are expected within days.",
        ),
    ),
    "earthquake": (
        "Earthquake shakes {city}",
        (
            "An earthquake of magnitude {magnitude} struck near {city}, {country}{when}.",
            "At least {number} buildings were damaged, officials said.",
            "Residents spent the night outdoors fearing aftershocks.",
        ),
    ),
    "wildfire": (
        "Wildfire near {city} contained",
        (
            "Firefighters battled a wildfire outside {city}, {country}{when}.",
            "The blaze destroyed about {number} hectares of forest.",
            "Several villages were placed on alert.",
        ),
    ),
}
INCIDENT_KINDS = tuple(_INCIDENT_TEXT)


def _incident_text(
    incident: Incident, outlet: Outlet, published: dt.date, rng: random.Random
) -> tuple[str, str]:
    title, sentences = _INCIDENT_TEXT[incident.kind]
    when = date_phrase(outlet.date_style, incident.date, published)
    fill = {
        "city": incident.city,
        "country": incident.place.country,
        "when": f" {when}" if when else "",
        "number": incident.number,
        "magnitude": f"{4 + incident.number % 30 / 10:.1f}",
    }
    first, *rest = (s.format(**fill) for s in sentences)
    rest = rng.sample(rest, k=rng.randint(1, len(rest)))
    return title.format(**fill), "\n\n".join([first, *rest])


def unrelated_headlines(world: World, rng: random.Random, count: int) -> list[str]:
    """Headlines of other stories, the kind a web page lists under "Last news"."""
    headlines = []
    for _ in range(count):
        person, place = rng.choice(world.people), rng.choice(world.places)
        headlines.append(
            rng.choice(
                (
                    f"{person.surname} visits {rng.choice(place.cities)}",
                    f"Flood warning issued for {rng.choice(place.cities)}",
                    f"{place.country} and {rng.choice(world.places).country} sign transport agreement",
                    f"{person.name} appointed {person.role}",
                    f"Exhibition of carpets opens in {place.capital}",
                )
            )
        )
    return headlines


def _agency_dateline(outlet: Outlet, published: dt.date) -> str:
    city = outlet.home.capital
    return f" date {published.isoformat()} {city.upper()}, {outlet.home.country}, {_AGENCY_MONTHS[published.month - 1]} {published.day}"


def write(
    event: Meeting | Incident, outlet: Outlet, published: dt.date, world: World, rng: random.Random
) -> tuple[str, str]:
    """Title and text of ``outlet``'s report on ``event``, published on ``published``."""
    if isinstance(event, Incident):
        title, body = _incident_text(event, outlet, published, rng)
    else:
        title = _meeting_title(event, outlet, rng)
        paragraphs = [_meeting_opening(event, outlet, published, rng)]
        if outlet.style != "brief":
            paragraphs += _body(event, outlet, rng)
            paragraphs.append(rng.choice(CLOSINGS))
        body = "\n\n".join(paragraphs)
    if outlet.style == "agency":
        return title, f"{_agency_dateline(outlet, published)}\n{title}\n\n{body}"
    if outlet.style == "web":
        crumbs = rng.choice(
            (["Home", "News", "Foreign policy"], ["Main", "Politics"], ["Home", "Region", "Society"])
        )
        last_news = unrelated_headlines(world, rng, rng.randint(3, 6))
        page = [*crumbs, "", title, f"Published {published:%d.%m.%Y}", "", body, "", "Last news", *last_news]
        return title, "\n".join(page)
    if outlet.style == "newspaper" and rng.random() < 0.5:
        body = f"{outlet.home.capital.upper()}, {MONTHS[published.month - 1]} {published.day} - {body}"
    return title, body
