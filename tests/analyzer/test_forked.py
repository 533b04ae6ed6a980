"""A function run in a forked process: its result comes back, its exception is raised again,
and a child that dies is an error at once, never a wait (the resolver's second process too)."""

from __future__ import annotations

import multiprocessing
import os
import pickle
from collections.abc import Iterator
from pathlib import Path

import pytest

from analyzer import resolve as resolve_module
from analyzer.collect import collect_facts, read_sources
from analyzer.errors import Mono2LambdaError
from analyzer.forked import Forked, ForkedItems
from analyzer.parse import extract_facts
from analyzer.resolve import resolve
from analyzer.reuse import Reuse
from analyzer.sources import find_sources

from .spies import compiled

FORK = multiprocessing.get_context("fork")


def _double(value: int) -> int:
    return value * 2


def _fail(message: str) -> None:
    raise ValueError(message)


def _die() -> None:
    os._exit(3)


def test_the_result_comes_back() -> None:
    assert Forked(FORK, _double, 21).result("doubling", hint="none") == 42


def test_an_exception_is_raised_again_in_the_caller() -> None:
    with pytest.raises(ValueError, match="no such thing"):
        Forked(FORK, _fail, "no such thing").result("failing", hint="none")


def test_a_child_that_dies_is_an_error_naming_its_exit_code() -> None:
    with pytest.raises(Mono2LambdaError, match=r"a worker process dying stopped without its result \(exit code 3\)"):
        Forked(FORK, _die).result("dying", hint="none")


def _count_to(last: int, fail: bool = False) -> Iterator[int]:
    yield from range(1, last + 1)
    if fail:
        raise ValueError("counted too far")


def _count_then_die() -> Iterator[int]:
    yield 1
    os._exit(4)


def test_items_come_back_in_order_while_the_child_runs_and_after() -> None:
    counting = ForkedItems(FORK, _count_to, 300)
    first = list(counting.ready("counting", hint="none"))  # whatever was sent by now, without waiting
    assert first + list(counting.rest("counting", hint="none")) == list(range(1, 301))
    assert list(counting.rest("counting", hint="none")) == []  # ended: nothing more, no wait


def test_items_then_the_exception_raised_again_in_the_caller() -> None:
    counting = ForkedItems(FORK, _count_to, 3, True)
    seen: list[int] = []
    with pytest.raises(ValueError, match="counted too far"):
        seen.extend(counting.rest("counting", hint="none"))
    assert seen == [1, 2, 3]


def test_a_child_that_dies_while_sending_is_an_error_naming_its_exit_code() -> None:
    counting = ForkedItems(FORK, _count_then_die)
    seen: list[int] = []
    with pytest.raises(Mono2LambdaError, match=r"a worker process counting stopped without its result \(exit code 4\)"):
        seen.extend(counting.rest("counting", hint="none"))
    assert seen == [1]


def _facts(modules: int) -> list:
    return [extract_facts(f"def f{n}():\n    return g{n}()\n\n\ndef g{n}():\n    return {n}\n".encode(),
                          f"m{n}.py", f"m{n}", False) for n in range(modules)]


def test_the_resolver_split_in_two_processes_finds_what_one_finds(monkeypatch: pytest.MonkeyPatch) -> None:
    facts = _facts(12)
    alone = resolve(facts, jobs=1).edges
    monkeypatch.setattr(resolve_module, "PARALLEL_DEFINITIONS", 1)
    assert resolve(facts, jobs=2).edges == alone


def test_the_relationship_reads_each_process_finds_are_what_one_finds(monkeypatch: pytest.MonkeyPatch) -> None:
    """Split, each process runs the relationship pass for the callers it resolved."""
    shop = Path(__file__).parents[2] / "examples" / "shop"
    facts, _ = collect_facts(read_sources(find_sources(shop).files), None, jobs=1)
    alone = resolve(facts, jobs=1)
    monkeypatch.setattr(resolve_module, "PARALLEL_DEFINITIONS", 1)
    split = resolve(facts, jobs=2)
    assert split.pickled and alone.relationship_reads
    assert split.relationship_reads == alone.relationship_reads
    assert split.loading_names == alone.loading_names and split.edges == alone.edges


@pytest.mark.skipif(compiled("analyzer.resolve"), reason="the child is made to die by replacing "
                    "analyzer.resolve._resolve_each, which the compiled build calls directly; forked.py, which "
                    "turns the death into an error, is the same Python in both builds")
def test_a_resolver_process_that_dies_is_an_error_not_a_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    parent, resolve_each = os.getpid(), resolve_module._resolve_each

    def dies_in_the_child(*args: object) -> object:
        if os.getpid() != parent:
            os._exit(3)
        return resolve_each(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(resolve_module, "PARALLEL_DEFINITIONS", 1)
    monkeypatch.setattr(resolve_module, "_resolve_each", dies_in_the_child)
    with pytest.raises(Mono2LambdaError, match=r"resolving definitions stopped without its result \(exit code 3\)"):
        resolve(_facts(12), jobs=2)


def test_what_a_resolver_process_sent_is_kept_for_the_next_run_as_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    """The child sends its modules' resolutions pickled by their fields; the cache keeps those bytes
    instead of pickling them again, and they read back equal to what the run used."""
    monkeypatch.setattr(resolve_module, "PARALLEL_DEFINITIONS", 1)
    resolution = resolve(_facts(12), jobs=2)
    assert resolution.pickled and set(resolution.pickled) < set(resolution.by_module)
    blobs = Reuse({}, None).kept_for_next(resolution).blobs
    for module, blob in resolution.pickled.items():
        assert blobs[module] is blob
        assert pickle.loads(blob) == resolution.by_module[module]


@pytest.mark.parametrize("jobs", [1, 2])
def test_what_runs_meanwhile_runs_once_here_on_the_resolution_s_data_model(monkeypatch: pytest.MonkeyPatch,
                                                                           jobs: int) -> None:
    """`meanwhile` (the framework detection) runs in this process while the forked one resolves its
    share, and after resolving on one process; either way once, on the program and data model resolved."""
    monkeypatch.setattr(resolve_module, "PARALLEL_DEFINITIONS", 1)
    seen: list[tuple[int, object, object]] = []
    resolution = resolve(_facts(12), jobs=jobs,
                         meanwhile=lambda program, data: seen.append((os.getpid(), program, data)))
    assert seen == [(os.getpid(), resolution.program, resolution.data)]
