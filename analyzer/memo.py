"""Remembered answers that do not depend on the order questions are asked in, and what each
answer read.

The evaluator (values.py) follows names across the whole program and remembers its answers.
A question met again while it is being answered (a cycle of imports, attributes or returns)
gets no answer, and so do questions past the depth limits: such a cut-short answer depends on
what was being answered around it, that is on the order the program's definitions were
resolved in. So an answer is kept for everyone only when nothing was cut short while finding
it (it is then the one answer the facts give, whoever asks first); the others are kept for the
definition being resolved only (`begin`), where the order of questions is fixed by its code.
That makes each definition's resolution a function of the facts alone, which is what lets
`analyze` re-resolve only some files and keep the rest.

Each answer also carries the modules it read (a bit per module name, `touch`), so the resolver
can record which files a file's resolution depends on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

MAX_NESTING = 60  # evaluations in progress at once, across definitions
# An entry: (answer, modules read, evaluations nested below it, deepest expression depth it holds for)
Entry = tuple[Any, int, int, int]
ANY_DEPTH = 1 << 30


class Memo:
    def __init__(self) -> None:
        self._in_progress: set = set()
        self._cut = 0  # answers cut short so far (a cycle or a limit): an answer is kept for all if none was
        self._reads = 0  # the modules read by the answer being found, a bit each
        self._nesting = 0
        self._peak = 0
        self._scratch: dict = {}  # cut-short answers, for the definition being resolved only
        self._bits: dict[str, int] = {}
        self._names: list[str] = []

    def begin(self) -> None:
        """A new definition is resolved: forget cut-short answers and start a new record of reads."""
        self._scratch = {}
        self._reads = 0

    def reads(self) -> int:
        return self._reads

    def read_names(self, reads: int) -> list[str]:
        """The module names whose bits are set in `reads`."""
        names = []
        while reads:
            lowest = reads & -reads
            names.append(self._names[lowest.bit_length() - 1])
            reads ^= lowest
        return names

    def touch(self, name: str) -> None:
        """The answer being found read what `name` (a module, or a name that may become one) says."""
        bit = self._bits.get(name)
        self._reads |= bit if bit is not None else self.bit(name)

    def bit(self, name: str) -> int:
        found = self._bits.get(name)
        if found is None:
            found = self._bits[name] = 1 << len(self._names)
            self._names.append(name)
        return found

    def remembered(self, memo: dict, key: Any, compute: Callable[[], Any], cycle: Any) -> Any:
        """`compute()`'s answer for `key`, remembered; `cycle` when `key` is asked again while it is
        being answered. The evaluator's hottest questions (values.py: member, instance attribute,
        eval, ...) repeat the hit test below (the first four lines) before calling
        `found`, so a hit costs no call and no closure; a change to the hit test changes them all."""
        found = memo.get(key)
        if found is not None and self._nesting + found[2] <= MAX_NESTING:
            self._reads |= found[1]
            return found[0]
        return self.found(memo, key, cycle, compute)

    def settled(self, memo: dict, key: Any, compute: Callable[[], Any]) -> Any:
        """`compute()`'s answer for `key`, asked where nothing is being answered (no evaluation in
        progress): found once as if asked first thing in a definition, with no cut-short answer
        remembered yet, so it is the same whoever asks, cut short inside or not, and it is kept
        for everyone with the modules it read. What it cut short is forgotten afterwards: the
        definition being resolved keeps its own."""
        found = memo.get(key)
        if found is None:
            assert not self._in_progress and not self._nesting, "settled: asked inside an evaluation"
            outer_reads, scratch = self._reads, self._scratch
            self._reads, self._scratch = 0, {}
            try:
                found = memo[key] = (compute(), self._reads)
            finally:
                self._reads, self._scratch = outer_reads, scratch
        self._reads |= found[1]
        return found[0]

    def found(self, memo: dict, key: Any, cycle: Any, compute: Callable[..., Any], *args: Any) -> Any:
        """`compute(*args)`'s answer for `key` when `memo` has none that holds here (the hit test
        of `remembered` failed): the answer cut short earlier for this definition, `cycle`, or
        found now and remembered."""
        guard = (id(memo), key)
        if self._scratch:
            found = self._scratch.get(guard)
            if found is not None:
                self._cut += 1
                self._reads |= found[1]
                return found[0]
        in_progress = self._in_progress
        if guard in in_progress:
            self._cut += 1
            return cycle
        outer_reads, outer_peak, cut, start = self._reads, self._peak, self._cut, self._nesting
        self._reads = 0
        self._peak = start
        in_progress.add(guard)
        try:
            answer = compute(*args)
        finally:
            in_progress.discard(guard)
        reads, peak = self._reads, self._peak
        if self._cut == cut:
            memo[key] = (answer, reads, peak - start, ANY_DEPTH)
        else:
            self._scratch[guard] = (answer, reads, peak - start, ANY_DEPTH)
        self._reads = reads | outer_reads
        if outer_peak > peak:
            self._peak = outer_peak
        return answer
