"""canonical_json must spell every value exactly as the standard library did: hashes are taken over it."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from datetime import UTC, datetime
from typing import Any, ClassVar

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from store.events import DomainEvent, MatchDecided, canonical_json, chain_hash, parse_json


def reference(value: Any) -> str:
    """The spelling canonical_json had before orjson: the definition of the canonical form."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.floats(min_value=1e-12, max_value=1e-3)
    | st.text()
    | st.text(alphabet=st.characters(max_codepoint=0x3000))
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=6)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=8), inner, max_size=6)
    ),
    max_leaves=30,
)


@settings(max_examples=3000)
@given(values)
@example({"score": 1e-05, "b": None})
@example({"a": float("nan"), "b": None, "c": [float("-inf")]})
@example(["text with e-5 and 0.00001 in it", 1e-9, 2e-10])
@example({"\u2028": '\x00\x1f\x7f"\\/', "é": "😀"})
def test_canonical_json_is_the_standard_library_spelling(value: Any) -> None:
    assert canonical_json(value) == reference(value)


@given(st.dictionaries(st.integers(), st.text(), max_size=4))
def test_non_string_keys_are_spelt_as_the_standard_library_does(value: dict[int, str]) -> None:
    assert canonical_json(value) == reference(value)


def test_values_json_cannot_encode_are_still_refused() -> None:
    with pytest.raises(TypeError):
        canonical_json({"when": object()})


@settings(max_examples=1000)
@given(values)
def test_parse_json_reads_back_what_canonical_json_wrote(value: Any) -> None:
    text = canonical_json(value)
    parsed = parse_json(text)
    assert canonical_json(parsed) == text
    assert parsed == json.loads(text) or _has_nan(parsed)
    assert type(parsed) is type(json.loads(text))


def _has_nan(value: Any) -> bool:
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, list):
        return any(_has_nan(v) for v in value)
    if isinstance(value, dict):
        return any(_has_nan(v) for v in value.values())
    return False


payloads = st.dictionaries(st.text(max_size=8), values, max_size=4)


@given(
    st.builds(
        MatchDecided,
        article_id=st.text(max_size=20),
        cluster=st.lists(st.text(max_size=20), max_size=4),
        outcome=st.sampled_from(["merged", "new", "review"]),
        review_with=st.none() | st.text(max_size=20),
        best=st.none() | payloads,
        candidates=st.lists(payloads, max_size=3),
        matcher_version=st.just("match-test"),
        trigger=st.text(max_size=20),
    )
)
@settings(max_examples=50, deadline=None)
def test_payload_is_what_asdict_gave_without_the_copy(event: MatchDecided) -> None:
    payload = event.payload()
    assert payload == dataclasses.asdict(event)
    assert canonical_json(payload) == reference(dataclasses.asdict(event))
    assert payload["candidates"] is event.candidates  # shared, not deep-copied


def test_payload_turns_a_nested_dataclass_into_a_dict() -> None:
    @dataclasses.dataclass(frozen=True)
    class Span:
        start: int
        end: int

    @dataclasses.dataclass(frozen=True, kw_only=True)
    class Spanned(DomainEvent):
        TYPE: ClassVar[str] = "Spanned"
        span: Span

    assert Spanned(span=Span(3, 9)).payload() == {"span": {"start": 3, "end": 9}}


def reference_chain_hash(prev_hash: str, header: list[Any], payload: str, metadata: str) -> str:
    """The chain hash as first defined: SHA-256 over the parts, each followed by a NUL byte."""
    digest = hashlib.sha256()
    for part in (prev_hash, reference(header), payload, metadata):
        digest.update(part.encode("utf-8"))
        digest.update(b"\x00")
    return digest.hexdigest()


@given(stream_id=st.text(max_size=40), type_name=st.text(max_size=20), payload=st.text(), metadata=st.text())
@settings(max_examples=200, deadline=None)
def test_chain_hash_keeps_its_first_definition(
    stream_id: str, type_name: str, payload: str, metadata: str
) -> None:
    recorded_at = datetime(2026, 11, 23, 10, 15, 30, 123456, tzinfo=UTC)
    expected = reference_chain_hash(
        "ab" * 32, [42, stream_id, 3, type_name, 1, recorded_at.isoformat()], payload, metadata
    )
    actual = chain_hash(
        prev_hash="ab" * 32,
        position=42,
        stream_id=stream_id,
        stream_version=3,
        type_name=type_name,
        schema_version=1,
        payload=payload,
        metadata=metadata,
        recorded_at=recorded_at,
    )
    assert actual == expected
