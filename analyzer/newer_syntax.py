"""Code written for a newer Python than the one running mono2lambda.

`ast.parse` only knows the grammar of the running Python: on 3.11, a file with PEP 695
type parameters (`def f[T](x: T)`, `class C[T]`, `type X = ...`, Python 3.12) does not
parse. When a file fails to parse, `parse_newer` looks (with the tokenizer, which every
version shares) for the constructs of newer versions:

* type parameters and `type` statements only: they are removed textually (`def f(x: T)`,
  `class C:`, `X = ...`; lines unchanged) and the file is parsed again, so its facts are
  still extracted, with an info diagnostic `newer-syntax` saying so;
* otherwise a `needs-newer-python` error naming the version and the construct, with the
  hint to run mono2lambda with that Python.

Pure: text in, tree and diagnostic out.
"""

from __future__ import annotations

import ast
import io
import sys
import tokenize
import warnings

from .facts import Diagnostic

TYPE_PARAMETERS = ((3, 12), "type parameters or a type statement, PEP 695")
EXCEPT_STAR = ((3, 11), "except*, PEP 654")
BARE_EXCEPT_LIST = ((3, 14), "except without parentheses around several exceptions, PEP 758")
TEMPLATE_STRING = ((3, 14), "a template string t'...', PEP 750")


def parse_newer(text: str, path: str, error: SyntaxError,
                running: tuple[int, int] | None = None) -> tuple[ast.Module | None, Diagnostic] | None:
    """What to make of a file that raised `error`: None when no newer syntax explains it;
    else the tree (None if it still cannot be parsed) and the diagnostic to record."""
    running = running or (sys.version_info[0], sys.version_info[1])
    tokens = _tokens(text)
    found = _newer_constructs(tokens, error) if tokens is not None else []
    found = [(version, what, line) for version, what, line in found if version > running]
    if not found:
        return None
    version, what, line = max(found, key=lambda item: item[0])
    if all(item[1] == TYPE_PARAMETERS[1] for item in found) and tokens is not None:
        stripped = _strip_type_parameters(text, tokens)
        tree = _parse(stripped) if stripped is not None else None
        if tree is not None:
            return tree, Diagnostic(path, line, "info", "newer-syntax",
                                    f"Python {_v(version)} syntax ({what}) read with the type parameters left out "
                                    f"(run mono2lambda with Python {_v(version)} or newer to read them)")
    named = f"Python {_v(version)} syntax ({what})"
    return None, Diagnostic(path, line, "error", "needs-newer-python",
                            f"does not parse with Python {_v(running)}: it needs {named}; skipped "
                            f"(run mono2lambda with Python {_v(version)} or newer)")


def _v(version: tuple[int, int]) -> str:
    return f"{version[0]}.{version[1]}"


def _parse(text: str) -> ast.Module | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _tokens(text: str) -> list[tokenize.TokenInfo] | None:
    try:
        return list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return None


def _significant(tokens: list[tokenize.TokenInfo]) -> list[tokenize.TokenInfo]:
    skip = {tokenize.COMMENT, tokenize.NL}
    return [t for t in tokens if t.type not in skip]


def _newer_constructs(tokens: list[tokenize.TokenInfo],
                      error: SyntaxError) -> list[tuple[tuple[int, int], str, int]]:
    found = []
    significant = _significant(tokens)
    for index, token in enumerate(significant):
        after = significant[index + 1:index + 3]
        line = token.start[0]
        generic = token.type == tokenize.NAME and token.string in ("def", "class") and len(after) == 2 \
            and after[0].type == tokenize.NAME and after[1].string == "["
        if generic or _type_statement(significant, index):
            found.append((*TYPE_PARAMETERS, line))
        elif token.string == "except" and after and after[0].string == "*":
            found.append((*EXCEPT_STAR, line))
        elif token.type == tokenize.NAME and token.string in ("t", "T", "tr", "rt", "Tr", "tR", "TR", "Rt", "rT",
                                                               "RT") and after and after[0].type == tokenize.STRING \
                and after[0].start == token.end:
            found.append((*TEMPLATE_STRING, line))
    if (error.msg or "").startswith("multiple exception types must be parenthesized"):
        found.append((*BARE_EXCEPT_LIST, error.lineno or 1))
    return found


def _type_statement(significant: list[tokenize.TokenInfo], index: int) -> bool:
    """`type NAME =` or `type NAME[` at the start of a logical line."""
    token = significant[index]
    if token.type != tokenize.NAME or token.string != "type":
        return False
    before = significant[index - 1] if index else None
    if before is not None and before.type not in (tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT) \
            and before.string != ";":
        return False
    after = significant[index + 1:index + 3]
    return len(after) == 2 and after[0].type == tokenize.NAME and after[1].string in ("=", "[")


def _strip_type_parameters(text: str, tokens: list[tokenize.TokenInfo]) -> str | None:
    """`text` with each `[...]` of type parameters and each `type` keyword removed, or None
    when a removal would span lines (line numbers must stay those of the file)."""
    significant = _significant(tokens)
    lines = text.splitlines(keepends=True)
    cuts: list[tuple[tuple[int, int], tuple[int, int]]] = []  # ((row, col) start, end), end exclusive
    for index, token in enumerate(significant):
        is_definition = token.string in ("def", "class") and token.type == tokenize.NAME
        is_alias = _type_statement(significant, index)
        if not (is_definition or is_alias):
            continue
        if is_alias:
            cuts.append((token.start, significant[index + 1].start))  # `type X` -> `X`
        opening = significant[index + 2] if index + 2 < len(significant) else None
        if opening is None or opening.string != "[" or significant[index + 1].type != tokenize.NAME:
            continue
        depth, position = 0, index + 2
        while position < len(significant):
            depth += {"[": 1, "(": 1, "{": 1, "]": -1, ")": -1, "}": -1}.get(significant[position].string, 0)
            if depth == 0:
                break
            position += 1
        if position >= len(significant):
            return None
        closing = significant[position]
        if closing.end[0] != opening.start[0]:
            return None
        cuts.append((opening.start, closing.end))
    for (row, start), (end_row, end) in sorted(cuts, reverse=True):
        if end_row != row:
            return None
        line = lines[row - 1]
        lines[row - 1] = line[:start] + line[end:]
    return "".join(lines)
