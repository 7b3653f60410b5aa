"""Table-driven checks of each extraction rule on short invented sentences (people and bodies fictional)."""

from __future__ import annotations

from typing import Any

import pytest

from extract.names import person_key
from extract.organizations import org_key
from extract.report import extract_report
from extract.zones import body_zones


def _row(description: str, input: Any, expected: Any) -> Any:
    return pytest.param(input, expected, id=description)


DATE_ROWS = [
    _row("month day year", ("On November 2, 2020, the meeting was held in Oslo.", None), ("2020-11-02",) * 2),
    _row("day month year", ("The talks were held on 2 November 2020 in Oslo.", None), ("2020-11-02",) * 2),
    _row("dotted numeric", ("The meeting was held on 02.11.2020.", None), ("2020-11-02",) * 2),
    _row("iso", ("The meeting was held on 2020-11-02 in Lima.", None), ("2020-11-02",) * 2),
    _row("slashed, month first", ("The meeting was held on 11/22/2020 in Lima.", None), ("2020-11-22",) * 2),
    _row("slashed, no month at all is no date", ("The meeting was held on 31/45/2020 in Lima.", None), (None, None)),
    _row("ordinal of month", ("The talks took place on the 2nd of November 2020.", None), ("2020-11-02",) * 2),
    _row("abbreviated month, no year", ("The ministers met on Nov. 2 in Lima.", "2020-11-05"), ("2020-11-02",) * 2),
    _row("day month no year, previous year", ("They met on 28 December.", "2021-01-03"), ("2020-12-28",) * 2),
    _row("weekday", ("Foreign Minister Alma Tursunova met the envoy on Tuesday.", "2024-03-08"),
         ("2024-03-05",) * 2),
    _row("weekday equal to publication day", ("The envoy met the mayor on Friday.", "2024-03-08"),
         ("2024-03-08",) * 2),
    _row("yesterday", ("The two ministers held talks yesterday.", "2024-03-08"), ("2024-03-07",) * 2),
    _row("publication window only", ("The parties discussed fisheries.", "2024-03-08"), ("2024-02-07", "2024-03-08")),
    _row("decoy month-year is not the meeting", ("The sides met and praised the plan adopted in December 2020.",
                                               "2021-10-15"), ("2021-09-15", "2021-10-15")),
    _row("decoy year range", ("The ministers met to review the strategy for 2021-2024.", "2021-10-15"),
         ("2021-09-15", "2021-10-15")),
    _row("later date of another event", (("The minister met the envoy on 3 May 2022. The plan was signed on "
                                         "4 June 2019 in Bern."), None), ("2022-05-03",) * 2),
    _row("multi-day visit ending at dateline", (("Reykjavik, 12 May 2023 - Director Olaf Berg has just "
                                                "concluded a two-day visit to Reykjavik, Iceland."), None),
         ("2023-05-11", "2023-05-12")),
    _row("nothing dates the report", ("The sides discussed fisheries.", None), (None, None)),
    _row("published line", (("Home\nNews\nPublished 05.03.2024\n\nThe sides discussed fisheries at length "
                            "during the meeting in the capital."), None), ("2024-02-04", "2024-03-05")),
    _row("agency dateline", ((" date 2024-01-17 OSLO, Norway, January 17. The ministers met to discuss "
                             "fisheries."), None), ("2023-12-18", "2024-01-17")),
]  # fmt: skip


@pytest.mark.parametrize(("input", "expected"), DATE_ROWS)
def test_event_dates(input: tuple[str, str | None], expected: tuple[str | None, str | None]) -> None:
    text, published = input
    x = extract_report(text, published=published)
    assert (x.date_from, x.date_to) == expected


PEOPLE_ROWS = [
    _row("title before name", "Foreign Minister Alma Tursunova met Director-General Pieter van Dalen of the "
         "Arctic Fisheries Agency (AFA) in Reykjavik on Tuesday.", {"Alma Tursunova", "Pieter van Dalen"}),
    _row("honorifics and later surname", "The meeting of Mr. Joren Halvik with Dr. Ines Moravec was held. "
         "Mr. Halvik thanked Dr. Moravec.", {"Joren Halvik", "Ines Moravec"}),
    _row("appositive title", "Talks were held with Lucía Ferreño, Executive Director of the Coastal "
         "Water Board.", {"Lucía Ferreño"}),
    _row("H.E. with appositive", "The meeting was hosted by H.E. Tomas Ardel, Vice Prime Minister of "
         "Norway.", {"Tomas Ardel"}),
    _row("transliteration variants are one person", "President Kerimbek Nurlanov met the envoy. Later "
         "President Kerimbek Nurlanow visited the port.", {"Kerimbek Nurlanov"}),
    _row("byline is not a participant", "By Sara Quint - Agency:\n\nThe sides met in Oslo and the "
         "minister Tor Vang said the talks went well.", {"Tor Vang"}),
    _row("non-meeting event still names people", "An earthquake hit the region. Governor Ada Pell said "
         "rescuers were at work.", set()),
]  # fmt: skip


@pytest.mark.parametrize(("input", "expected"), PEOPLE_ROWS)
def test_meeting_parties(input: str, expected: set[str]) -> None:
    x = extract_report(input, published="2024-03-08")
    assert {f.attrs["key"] for f in x.of("participant") if f.rule == "meeting-party"} == {
        person_key(n) for n in expected
    }


def test_mentioned_people_are_kept_as_mentions() -> None:
    x = extract_report(
        "An earthquake hit the region. Governor Ada Pell said rescuers were at work.", published=None
    )
    assert [(f.value, f.rule) for f in x.of("participant")] == [("Ada Pell", "mention")]


def test_background_person_is_a_mention() -> None:
    text = ("Minister Olga Rand met Ambassador Ivo Sterk on 3 May 2022. They recalled a summit held in "
            "June 2017 and attended by President Mara Jost.")  # fmt: skip
    rules = {f.value: f.rule for f in extract_report(text, published=None).of("participant")}
    assert rules == {"Olga Rand": "meeting-party", "Ivo Sterk": "meeting-party", "Mara Jost": "mention"}


AFFILIATION_ROWS = [
    _row(
        "organisation after a bracketed title acronym",
        "On 4 May 2022 Ms. Lina Marsh, the Special Envoy of the Secretary-General (SESG) for the Baltic "
        "Marine Council (BMC), met Minister Tor Vik in Tallinn.",
        {"Lina Marsh": "Baltic Marine Council"},
    ),
    _row(
        "title before the name",
        "The Director-General of the Nordic Seed Agency Per Holm met Minister Tor Vik on 4 May 2022.",
        {"Per Holm": "Nordic Seed Agency"},
    ),
]


NAME_SHAPE_ROWS = [
    _row("country before the name is not part of it",
         "The Minister of Foreign Affairs of the Republic of Norland Alma Tursunova met the envoy on 2 May 2022.",
         "Alma Tursunova"),
    _row("an initial belongs to the name", "On 2 May 2022 the minister received Mr. P. van Dalen in Oslo.",
         "P. van Dalen"),
]  # fmt: skip


@pytest.mark.parametrize(("input", "expected"), NAME_SHAPE_ROWS)
def test_name_shapes(input: str, expected: str) -> None:
    assert expected in [f.value for f in extract_report(input, published=None).of("participant")]


@pytest.mark.parametrize(("input", "expected"), AFFILIATION_ROWS)
def test_participant_affiliation(input: str, expected: dict[str, str]) -> None:
    facts = extract_report(input, published=None).of("participant")
    found = {f.value: f.attrs.get("organization") for f in facts}
    for name, organization in expected.items():
        assert found.get(name) == organization, found


NAME_KEY_ROWS = [
    _row("ow and ov", ("Kerimbek Nurlanow", "Kerimbek Nurlanov"), True),
    _row("off and ov", ("Ivan Petroff", "Ivan Petrov"), True),
    _row("diacritics folded", ("Michèle Arnaud", "Michele Arnaud"), True),
    _row("honorific ignored", ("Mr. Ivan Petrov", "Ivan Petrov"), True),
    _row("kh and doubled letters", ("Akhmed Mukhammedov", "Ahmed Muhamedov"), True),
    _row("different people", ("Ivan Petrov", "Ivan Sidorov"), False),
    _row("possessive is no part of the name", ("Ivan Petrov's", "Ivan Petrov"), True),
    _row("curly possessive", ("Ines Moravec\u2019s", "Ines Moravec"), True),
    _row("a name ending in s keeps it", ("Ana Lewis", "Ana Lewi"), False),
]


@pytest.mark.parametrize(("input", "expected"), NAME_KEY_ROWS)
def test_person_key(input: tuple[str, str], expected: bool) -> None:
    assert (person_key(input[0]) == person_key(input[1])) is expected


ORG_ROWS = [
    _row("defined acronym used later", "Talks with the Arctic Fisheries Agency (AFA) were held. The AFA agreed.",
         {"arctic fisheries agency"}),
    _row("ministry forms agree", "The Foreign Ministry of Norway and the Ministry of Foreign Affairs of Norway met.",
         {"ministry of foreign affairs of norway"}),
    _row("minister title implies ministry", "Minister of Foreign Affairs of Chile Ana Ruiz met the envoy.",
         {"ministry of foreign affairs of chile"}),
    _row("misspelt acronym beside a known long name", "Officials of the UN Counter-Terrorism Office (UNCTO) "
         "met. The UNCTO praised the plan.", {"unoct"}),
    _row("word order variants", "The United Nations Counter-Terrorism Office and the UN Office of "
         "Counter-Terrorism were named.", {"unoct"}),
    _row("unknown committee", "The Harbour Safety Committee met on Monday.", {"harbour safety committee"}),
]  # fmt: skip


@pytest.mark.parametrize(("input", "expected"), ORG_ROWS)
def test_organizations(input: str, expected: set[str]) -> None:
    x = extract_report(input, published="2024-03-08")
    keys = {f.attrs["key"] for f in x.of("organization")}
    assert expected <= keys
    for fact in x.of("organization"):
        if fact.quote in ("UNCTO", "AFA"):
            assert fact.attrs["key"] in expected


def test_org_key_resolves_known_acronyms_and_names() -> None:
    assert (
        org_key("UNOCT")
        == org_key("United Nations Office of Counter-Terrorism")
        == org_key("UN Counter-Terrorism Office")
    )


ZONE_ROWS = [
    _row("breadcrumbs and repeated headline cut",
         "Home\n\\\nWorld\n\\\nEnvoy visits port\nWorld\nEnvoy visits port\n1234\n\nThe envoy met the mayor "
         "of the port city on Monday and discussed trade.", "The envoy met"),
    _row("headline list at the end cut",
         "The envoy met the mayor of the port city on Monday and discussed trade.\n\nLatest news\n01.08\n"
         "Minister opens bridge\n31.07\nFestival of songs begins", "discussed trade."),
    _row("plain text is all body", "The envoy met the mayor. They discussed trade.", "The envoy met"),
]  # fmt: skip


@pytest.mark.parametrize(("input", "expected"), ZONE_ROWS)
def test_zones(input: str, expected: str) -> None:
    zones = body_zones(input)
    assert len(zones) == 1
    body = input[zones[0][0] : zones[0][1]]
    assert body.startswith(expected) or body.endswith(expected)
    assert "Home" not in body
    assert "Latest news" not in body


FORMAT_ROWS = [
    _row("videoconference", "The ministers met via videoconference.", "videoconference"),
    _row("online meeting", "During the online meeting the sides agreed.", "videoconference"),
    _row("video link", "The envoy spoke by video link.", "videoconference"),
    _row("phone call", "The leaders held a telephone conversation.", "phone call"),
    _row("visit", "The minister paid an official visit to Lima.", "in-person"),
    _row("met with", "The minister met with the mayor.", "in-person"),
    _row("plain meeting gives no format", "During the meeting the sides agreed.", None),
    _row("host received a named visitor", "The minister received Ana Ruiz, the new envoy.", "in-person"),
    _row("credentials", "The ambassador presented a copy of her credentials.", "in-person"),
    _row(
        "received a call is not a visit",
        "The minister received a telephone call from the mayor.",
        "phone call",
    ),
    _row("received a letter gives no format", "The minister received a letter from the mayor.", None),
]


@pytest.mark.parametrize(("input", "expected"), FORMAT_ROWS)
def test_format(input: str, expected: str | None) -> None:
    found = [f.value for f in extract_report(input, published=None).of("format")]
    assert (found[0] if found else None) == expected


QUOTE_ROWS = [
    _row("a place is quoted whole", "The envoy began a visit to Tromsø on Monday.", "visit to Tromsø"),
    _row("so is the host's guest", "The minister received Mr. Okafor at noon.", "received Mr. Okafor"),
    _row("initials included", "The minister received Mr. J. K. Okafor at noon.", "received Mr. J. K. Okafor"),
    _row("and the city of talks", "The talks in Valparaíso went on late.", "talks in Valparaíso"),
    _row("a title alone stays a title", "The minister received Mr. and Mrs. Lee.", "received Mr."),
]


@pytest.mark.parametrize(("input", "expected"), QUOTE_ROWS)
def test_the_format_quote_ends_on_a_word_boundary(input: str, expected: str) -> None:
    [found] = extract_report(input, published=None).of("format")
    assert found.quote == expected
    assert input[found.start : found.end] == expected


PLACE_ROWS = [
    _row("visit to city, country", "The envoy concluded a visit to Tromsø, Norway.", "Tromsø"),
    _row("held in", "The meeting was held in Valparaíso and both sides met with the press.", "Valparaíso"),
    _row("dateline city for in-person visit", "BERGEN, Norway, May 3. The envoy met with the mayor.", "Bergen"),
    _row("no place for a videoconference", "OSLO, May 3. The ministers met via videoconference.", None),
    _row("organisation is not a place", "The meeting with the envoy took place at the Ministry of Fisheries.", None),
    _row("the lead's place beats a later visit phrase",
         "Minister Ada Rell met envoy Tom Birk at the ministry in Kaunas. It was his first visit to Lithuania "
         "since the talks began.", "Kaunas"),
]  # fmt: skip


@pytest.mark.parametrize(("input", "expected"), PLACE_ROWS)
def test_place(input: str, expected: str | None) -> None:
    found = [f.value for f in extract_report(input, published="2024-05-03").of("place")]
    assert (found[0] if found else None) == expected


POSSESSIVE_ROWS = [
    _row("surname with possessive", "Minister Joren Halvik met the envoy on 2 May 2022. Halvik's aide took notes.",
         {"Joren Halvik", "Halvik"}),
    _row("full name with curly possessive", "Minister Ines Moravec\u2019s visit to Oslo was held on 2 May 2022.",
         {"Ines Moravec"}),
]  # fmt: skip


@pytest.mark.parametrize(("input", "expected"), POSSESSIVE_ROWS)
def test_possessive_is_not_quoted(input: str, expected: set[str]) -> None:
    assert {f.quote for f in extract_report(input, published=None).of("participant")} == expected
