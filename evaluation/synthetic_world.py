"""The fictional world synthetic reports talk about: people, organisations, countries and cities.

Everything is drawn from syllable tables with one ``random.Random``, so a seed fixes the world. People's
names come with the transliteration variants real outlets produce (-ov/-ow/-off, Mikhail/Mikhael), and
organisations carry acronyms that an outlet may misspell.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

_ONSETS: tuple[str, ...] = (
    "Ber",
    "Dal",
    "Kar",
    "Mer",
    "Vor",
    "Tash",
    "Gul",
    "Nur",
    "Sar",
    "Bay",
    "Ham",
    "Rus",
)
_ONSETS += (
    "Yaz",
    "Mel",
    "Pet",
    "Zan",
    "Tor",
    "Lin",
    "Fer",
    "Gor",
    "Dor",
    "Khal",
    "Sed",
    "Om",
    "Ak",
    "Jum",
    "Ily",
)
_MIDDLES = ("a", "e", "i", "o", "da", "ri", "lo", "na", "me", "ki", "sha", "ta", "mu", "dy", "ge", "kha")

# Surname endings and the spellings of the same ending other outlets use.
_SURNAME_ENDINGS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ov", ("ow", "off")),
    ("ev", ("yev", "ew")),
    ("edov", ("edow",)),
    ("yan", ("ian",)),
    ("sky", ("ski",)),
    ("in", ()),
    ("enko", ()),
    ("ani", ()),
)

_GIVEN_NAMES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Mikhail", ("Mikhael", "Mihail")),
    ("Aleksandr", ("Alexander", "Aleksander")),
    ("Dmitri", ("Dmitry", "Dmitriy")),
    ("Sergei", ("Sergey",)),
    ("Yuliya", ("Yulia", "Julia")),
    ("Natalia", ("Natalya",)),
    ("Rashid", ("Rasheed",)),
    ("Kakha", ("Kaha",)),
    ("Myakhri", ("Mahri",)),
    ("Gulshat", ("Gulshad",)),
    ("Aigerim", ()),
    ("Nurlan", ()),
    ("Vladimir", ()),
    ("Elena", ("Yelena", "Jelena")),
    ("Timur", ()),
    ("Oksana", ()),
    ("Bakhtiyor", ("Bakhtiyar", "Bahtiyor")),
    ("Leyla", ("Leila",)),
    ("Farid", ()),
    ("Zarina", ()),
    ("Ilkhom", ("Ilhom",)),
    ("Svetlana", ()),
    ("Arslan", ()),
    ("Dilnoza", ()),
)

_COUNTRY_ENDINGS = ("ia", "stan", "land", "ova", "ara", "enia", "ustan")
_CITY_ENDINGS = ("abad", "grad", "pol", "ton", "ar", "sk", "ovo", "ana", "kent")

_ORG_PREFIXES = ("United Nations", "Regional", "International", "Eurasian", "Caspian", "Interstate")
_ORG_BODIES = ("Office", "Centre", "Council", "Commission", "Agency", "Programme")
_ORG_DOMAINS = (
    "Water Cooperation",
    "Preventive Diplomacy",
    "Migration Affairs",
    "Energy Transit",
    "Disaster Risk Reduction",
    "Trade Facilitation",
    "Maritime Security",
    "Counter-Narcotics",
    "Border Management",
    "Digital Connectivity",
)

_STATE_ROLES = (
    "Minister of Foreign Affairs of {country}",
    "Deputy Minister of Foreign Affairs of {country}",
    "Minister of Energy of {country}",
    "President of {country}",
    "Ambassador of {country}",
    "Chairman of the Parliament of {country}",
)
_ORG_ROLES = (
    "Under-Secretary-General of the {org}",
    "Head of the {org}",
    "Special Representative of the {org}",
    "Executive Secretary of the {org}",
    "Director of the {org}",
)


@dataclass(frozen=True, kw_only=True)
class Place:
    country: str
    cities: tuple[str, ...]

    @property
    def capital(self) -> str:
        return self.cities[0]


@dataclass(frozen=True, kw_only=True)
class Organisation:
    name: str
    acronym: str
    variants: tuple[str, ...]

    def misspelt_acronym(self, rng: random.Random) -> str:
        """The acronym as a careless agency writes it: two letters swapped or one replaced."""
        letters = list(self.acronym)
        i = rng.randrange(len(letters) - 1)
        if letters[i] != letters[i + 1] and rng.random() < 0.5:
            letters[i], letters[i + 1] = letters[i + 1], letters[i]
        else:
            letters[i] = rng.choice([c for c in "CDGMNRTU" if c != letters[i]])
        return "".join(letters)


@dataclass(frozen=True, kw_only=True)
class Person:
    name: str
    spellings: tuple[str, ...]  # the canonical name first
    role: str
    place: Place
    organisation: Organisation | None

    @property
    def surname(self) -> str:
        return self.name.rsplit(" ", 1)[-1]

    def spelling(self, preference: int) -> str:
        return self.spellings[preference % len(self.spellings)]

    def surname_spelling(self, preference: int) -> str:
        return self.spelling(preference).rsplit(" ", 1)[-1]


@dataclass(frozen=True, kw_only=True)
class World:
    people: tuple[Person, ...]
    places: tuple[Place, ...]
    organisations: tuple[Organisation, ...]


def _word(rng: random.Random, ending: str, middles: int = 1) -> str:
    return rng.choice(_ONSETS) + "".join(rng.choice(_MIDDLES) for _ in range(middles)) + ending


def _places(rng: random.Random, count: int) -> tuple[Place, ...]:
    seen: set[str] = set()
    places: list[Place] = []
    while len(places) < count:
        country = _word(rng, rng.choice(_COUNTRY_ENDINGS))
        if country in seen:
            continue
        seen.add(country)
        cities = tuple(dict.fromkeys(_word(rng, rng.choice(_CITY_ENDINGS)) for _ in range(3)))
        places.append(Place(country=country, cities=cities))
    return tuple(places)


def _acronym(name: str) -> str:
    return "".join(word[0] for word in name.replace("-", " ").split() if word[0].isupper())


def _organisations(rng: random.Random, count: int) -> tuple[Organisation, ...]:
    seen: set[str] = set()
    organisations: list[Organisation] = []
    while len(organisations) < count:
        prefix, body, domain = rng.choice(_ORG_PREFIXES), rng.choice(_ORG_BODIES), rng.choice(_ORG_DOMAINS)
        name = f"{prefix} {body} for {domain}"
        if name in seen:
            continue
        seen.add(name)
        variants = [
            name.replace("United Nations", "UN"),
            name.replace("Centre", "Center"),
            f"{domain} {body}",
        ]
        unique = tuple(v for v in dict.fromkeys(variants) if v != name)
        organisations.append(Organisation(name=name, acronym=_acronym(name), variants=unique))
    return tuple(organisations)


def _name_spellings(rng: random.Random, taken: set[str]) -> tuple[str, ...]:
    while True:
        given, given_variants = rng.choice(_GIVEN_NAMES)
        stem = _word(rng, "", middles=rng.choice((0, 1, 1, 2)))
        ending, ending_variants = rng.choice(_SURNAME_ENDINGS)
        name = f"{given} {stem}{ending}"
        if name not in taken:
            taken.add(name)
            break
    spellings = [name]
    spellings += [f"{given} {stem}{variant}" for variant in ending_variants]
    spellings += [f"{variant} {stem}{ending}" for variant in given_variants]
    return tuple(spellings)


def build_world(rng: random.Random, *, people: int) -> World:
    """Draw a world with ``people`` people spread over a few dozen countries and organisations."""
    places = _places(rng, max(6, min(60, people // 8)))
    organisations = _organisations(rng, max(4, min(40, people // 12)))
    taken: set[str] = set()
    persons: list[Person] = []
    for _ in range(people):
        spellings = _name_spellings(rng, taken)
        place = rng.choice(places)
        organisation: Organisation | None = None
        if rng.random() < 0.3:
            organisation = rng.choice(organisations)
            role = rng.choice(_ORG_ROLES).format(org=organisation.name)
        else:
            role = rng.choice(_STATE_ROLES).format(country=place.country)
        persons.append(
            Person(name=spellings[0], spellings=spellings, role=role, place=place, organisation=organisation)
        )
    return World(people=tuple(persons), places=places, organisations=organisations)
