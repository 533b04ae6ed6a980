"""Facts survive the trip through bytes (workers -> this process, and the cache) unchanged."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from analyzer.factcodec import decode_facts, encode_facts
from analyzer.facts import Diagnostic, FileFacts
from analyzer.parse import extract_facts
from analyzer.sources import find_sources

from .construct_cases import CASES, Case

ASSETS = Path(__file__).resolve().parent.parent / "assets"
SHOP = Path(__file__).resolve().parents[2] / "examples" / "shop"


def _round_trip(facts: FileFacts) -> None:
    back = decode_facts(encode_facts(facts))
    assert back == facts
    _assert_same_types(_fields(back), _fields(facts))


def _fields(facts: FileFacts) -> dict[str, object]:
    """The dataclass's fields by name (not vars(): a compiled FileFacts has no __dict__)."""
    return {field.name: getattr(facts, field.name) for field in dataclasses.fields(facts)}


def _assert_same_types(back: object, made: object) -> None:
    """Equal values compare equal whether a tuple is named or not: the types must match too."""
    assert type(back) is type(made), (back, made)
    if isinstance(made, dict) and isinstance(back, dict):
        assert list(made) == list(back)  # insertion order kept (first lines of reads)
        for key, value in made.items():
            _assert_same_types(back[key], value)
    elif isinstance(made, (list, tuple)) and isinstance(back, (list, tuple)):
        for mine, theirs in zip(back, made, strict=True):
            _assert_same_types(mine, theirs)


@pytest.mark.parametrize("root", [ASSETS, SHOP], ids=["assets", "shop"])
def test_facts_of_real_trees_round_trip(root: Path) -> None:
    tree = find_sources(root, include_tests=True, include_migrations=True)
    assert tree.files
    for source in tree.files:
        _round_trip(extract_facts(source.path.read_bytes(), source.relpath, source.module, source.is_package))


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.construct}-{c.name}")
def test_facts_of_every_construct_round_trip(case: Case) -> None:
    _round_trip(extract_facts(case.source.encode(), "m.py", "m", False))


def test_a_file_that_did_not_parse_round_trips() -> None:
    facts = extract_facts(b"def f(:\n", "bad.py", "bad", False)
    assert not facts.parsed and facts.diagnostics
    _round_trip(facts)
    _round_trip(FileFacts("x.py", "x", False, 0, parsed=False,
                          diagnostics=[Diagnostic("x.py", 1, "warning", "too-large", "skipped")]))


def test_a_names_form_is_written_once_per_file() -> None:
    """Every use of a name holds the same ("name", x) object, which marshal writes once and reads
    back once: the encoded facts and the facts read back share it."""
    source = b"import os\n\ndef f(path):\n    os.remove(path)\n    return os.path.join(path, os.sep)\n"
    facts = extract_facts(source, "m.py", "m", False)
    function = facts.definitions[1]
    calls = function.scope.calls
    assert calls[0].func[1] is calls[1].func[1][1]
    assert calls[0].args[0] is calls[1].args[0]  # `path`, twice
    back = decode_facts(encode_facts(facts))
    back_calls = back.definitions[1].scope.calls
    assert back_calls[0].func[1] is back_calls[1].func[1][1]
    assert back_calls[0].args[0] is back_calls[1].args[0]
