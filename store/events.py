"""Domain events and the mapper between them and stored rows. Pure: no database here.

Events are frozen, keyword-only dataclasses with past-tense names. Each type has a schema version; a
payload written by an older version is upcast when it is read (``UPCASTERS``), never rewritten in the log.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar, TypeVar

import orjson

_ORJSON_OPTIONS = (
    orjson.OPT_SORT_KEYS
    | orjson.OPT_PASSTHROUGH_DATACLASS
    | orjson.OPT_PASSTHROUGH_DATETIME
    | orjson.OPT_PASSTHROUGH_SUBCLASS
)


def _floats_spelt_alike(value: Any) -> bool:
    """Whether orjson spells every float in ``value`` as Python's repr does (json's spelling).

    They differ for floats in [1e-10, 1e-4) ("0.00001" for "1e-05", "1e-9" for "1e-09") and for NaN and
    infinities (orjson writes null). Walking the containers is cheaper than scanning the encoded text.
    """
    stack = [value]
    pop, extend = stack.pop, stack.extend
    while stack:
        item = pop()
        kind = type(item)
        if kind is dict:
            extend(item.values())
        elif kind is list or kind is tuple:
            extend(item)
        elif kind is float and not (item == 0.0 or 1e-4 <= abs(item) < math.inf):
            return False
    return True


def _stdlib_canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_json(value: Any) -> str:
    """The one JSON spelling of a value: sorted keys, no spaces, UTF-8 kept. Hashes are taken over it.

    The spelling is the standard library's ``json.dumps(sort_keys=True, separators=(",", ":"),
    ensure_ascii=False)``, byte for byte, so that logs written before stay verifiable; orjson produces
    it ten times faster wherever the two agree, and the standard library is asked wherever they may not
    (small and non-finite floats, see ``_floats_spelt_alike``; whatever orjson refuses: big integers,
    non-string keys, lone surrogates, subclasses of str, int, dict or list).
    """
    try:
        encoded = orjson.dumps(value, option=_ORJSON_OPTIONS)
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return _stdlib_canonical_json(value)
    if _floats_spelt_alike(value):
        return encoded.decode("utf-8")
    return _stdlib_canonical_json(value)


def parse_json(text: str) -> Any:
    """Decode canonical JSON (a payload or metadata of the log) exactly as ``json.loads`` would.

    orjson decodes; its result is kept only if it spells back to ``text``, because orjson refuses NaN
    and reads integers beyond 64 bits as floats. Text that is not canonical is decoded by json (slower).
    """
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)
    try:
        if orjson.dumps(value, option=_ORJSON_OPTIONS) == text.encode("utf-8"):
            return value
    except TypeError:
        pass
    return json.loads(text)


def utcnow() -> datetime:
    return datetime.now(UTC)


def article_id_for(origin_key: str, item_key: str | None) -> str:
    """Stable id of an article: its source identity, not its content (so a changed text is a revision)."""
    key = origin_key if item_key is None else f"{origin_key}#{item_key}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]


def article_stream(article_id: str) -> str:
    return f"article-{article_id}"


# Field value types payload() passes through as they are (canonical_json reads them, never changes them).
_PLAIN = frozenset({str, int, float, bool, type(None), dict, list, tuple})
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


@dataclass(frozen=True, kw_only=True)
class DomainEvent:
    """Base of every event. ``TYPE`` is the stored type name, ``SCHEMA`` its payload version."""

    TYPE: ClassVar[str] = ""
    SCHEMA: ClassVar[int] = 1

    def payload(self) -> dict[str, Any]:
        """The fields as a dict, for the log's canonical JSON (which only reads it).

        Not ``dataclasses.asdict``: that deep-copies every value, a third of an append's time for a
        3 KB article. Containers are shared with the event, not copied; a nested dataclass becomes a dict.
        """
        fields = {name: getattr(self, name) for name in _field_names(type(self))}
        for name, value in fields.items():
            if type(value) not in _PLAIN and dataclasses.is_dataclass(value) and not isinstance(value, type):
                fields[name] = dataclasses.asdict(value)
        return fields


@dataclass(frozen=True, kw_only=True)
class ArticleReceived(DomainEvent):
    """A source delivered an article the log had not seen from that source."""

    TYPE: ClassVar[str] = "ArticleReceived"

    article_id: str
    source: str
    origin: str
    item_key: str | None
    title: str | None
    published: str | None
    content_type: str
    raw: str
    text: str
    content_hash: str
    received_at: str  # ISO 8601, aware UTC


@dataclass(frozen=True, kw_only=True)
class ArticleRevised(ArticleReceived):
    """The same source delivered the article again with different content."""

    TYPE: ClassVar[str] = "ArticleRevised"

    revision: int


@dataclass(frozen=True, kw_only=True)
class ReportExtracted(DomainEvent):
    """Extraction ran over one revision of an article. A newer extractor appends another one."""

    TYPE: ClassVar[str] = "ReportExtracted"

    article_id: str
    article_position: int  # the ArticleReceived/ArticleRevised event the text came from
    extractor_version: str
    extraction: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class MatchDecided(DomainEvent):
    """The matcher placed a report: with whom it is grouped, and why (score, features, version)."""

    TYPE: ClassVar[str] = "MatchDecided"

    article_id: str
    cluster: list[str]  # article ids grouped together, sorted, including this one
    outcome: str  # "merged" | "new" | "review"
    review_with: str | None
    best: dict[str, Any] | None
    candidates: list[dict[str, Any]]
    matcher_version: str
    trigger: str  # the article (or review decision) whose arrival made the matcher decide again


@dataclass(frozen=True, kw_only=True)
class ReviewDecided(DomainEvent):
    """A person confirmed, split, merged, corrected or removed a fact. It outlives every matcher re-run."""

    TYPE: ClassVar[str] = "ReviewDecided"

    action: str  # "confirm" | "split" | "merge" | "correct" | "remove"
    article_ids: list[str]  # the reports the decision is about
    others: list[str] = field(default_factory=list)  # split: kept apart from these; merge: joined to these
    field_name: str | None = None  # correct, remove: which fact
    value: str | None = None  # correct: the right value; remove: the value to drop
    actor: str = ""
    reason: str = ""


EVENT_TYPES: dict[str, type[DomainEvent]] = {
    cls.TYPE: cls for cls in (ArticleReceived, ArticleRevised, ReportExtracted, MatchDecided, ReviewDecided)
}

E = TypeVar("E", bound=type[DomainEvent])


def register(cls: E) -> E:
    """Class decorator: make an event type defined elsewhere (e.g. ``store.feeds``) readable from the log."""
    if cls.TYPE in EVENT_TYPES and EVENT_TYPES[cls.TYPE] is not cls:
        raise ValueError(f"event type {cls.TYPE!r} is registered twice")
    EVENT_TYPES[cls.TYPE] = cls
    return cls


# (type, from schema version) -> function turning that payload into the next version's payload.
UPCASTERS: dict[tuple[str, int], Callable[[dict[str, Any]], dict[str, Any]]] = {}


def upcast(type_name: str, schema_version: int, payload: dict[str, Any]) -> dict[str, Any]:
    """Bring an old payload up to the current schema of its type, one version at a time."""
    current = EVENT_TYPES[type_name].SCHEMA
    version = schema_version
    while version < current:
        payload = UPCASTERS[(type_name, version)](payload)
        version += 1
    return payload


def to_domain(type_name: str, schema_version: int, payload: dict[str, Any]) -> DomainEvent:
    cls = EVENT_TYPES[type_name]
    return cls(**upcast(type_name, schema_version, payload))


@dataclass(frozen=True, kw_only=True)
class NewEvent:
    """An event on its way into the log. ``expected_version`` None means 'after whatever is there'."""

    stream_id: str
    event: DomainEvent
    metadata: dict[str, Any] = field(default_factory=dict)
    expected_version: int | None = None


@dataclass(frozen=True, kw_only=True)
class StoredEvent:
    """An event as the log holds it."""

    position: int
    stream_id: str
    stream_version: int
    type: str
    schema_version: int
    payload: str  # canonical JSON, exactly as hashed
    metadata: str  # canonical JSON
    recorded_at: datetime
    prev_hash: str
    hash: str

    def domain(self) -> DomainEvent:
        return to_domain(self.type, self.schema_version, parse_json(self.payload))

    def meta(self) -> dict[str, Any]:
        result: dict[str, Any] = parse_json(self.metadata)
        return result

    def expected_hash(self) -> str:
        """The hash this event must carry, given its columns and its ``prev_hash``."""
        return chain_hash(
            prev_hash=self.prev_hash,
            position=self.position,
            stream_id=self.stream_id,
            stream_version=self.stream_version,
            type_name=self.type,
            schema_version=self.schema_version,
            payload=self.payload,
            metadata=self.metadata,
            recorded_at=self.recorded_at,
        )


GENESIS_HASH = "0" * 64


def chain_hash(
    *,
    prev_hash: str,
    position: int,
    stream_id: str,
    stream_version: int,
    type_name: str,
    schema_version: int,
    payload: str,
    metadata: str,
    recorded_at: datetime,
) -> str:
    """SHA-256 over the previous hash and every stored column of the event."""
    fields = [position, stream_id, stream_version, type_name, schema_version, recorded_at.isoformat()]
    try:  # integers and strings only: no float whose spelling canonical_json would have to check
        header = orjson.dumps(fields, option=_ORJSON_OPTIONS)
    except TypeError:
        header = canonical_json(fields).encode("utf-8")
    digest = hashlib.sha256(prev_hash.encode("utf-8"))
    digest.update(b"\x00")
    digest.update(header)
    for part in (payload, metadata):
        digest.update(b"\x00")
        digest.update(part.encode("utf-8"))
    digest.update(b"\x00")
    return digest.hexdigest()


# Event types defined beside their own projections register themselves on import.
from store import feedevents as _feedevents  # noqa: F401
