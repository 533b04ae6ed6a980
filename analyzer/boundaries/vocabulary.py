"""Vocabulary: units whose names and docstrings talk about the same things belong together,
even where no call connects them (`invoice_total` in billing and `InvoiceRow` in reports).

Each unit is a bag of words: the identifiers of its nodes (module path, classes,
functions, methods, variables; split at `_` and camelCase, lower-cased, a plural `s`
dropped) and the words of their docstrings' first lines. Words are weighted by TF-IDF
(sublinear term frequency; words found in one unit only, or in more than `MAX_SHARE` of
the units or `MAX_UNITS_PER_WORD` units, say nothing about a pair and are dropped), each unit keeps its `TOP_TERMS`
heaviest words, and units are compared by cosine similarity through an inverted index.
Only each unit's `TOP_K` most similar neighbours (at least `MIN_SIMILARITY`) are kept,
so the result stays sparse. Pure and deterministic; plain dictionaries.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping

from ..graph import CodeGraph
from .domains import LAYER_FOLDERS

TOP_K = 5
TOP_TERMS = 20
MIN_SIMILARITY = 0.1
MAX_SHARE = 0.25  # a word in more than this share of the units is too common to tell them apart
MAX_UNITS_PER_WORD = 50  # nor is one in more units than this (and comparing them all would be slow)
MIN_WORD = 3

_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
STOP_WORDS = frozenset({
    "the", "and", "for", "with", "from", "this", "that", "are", "was", "were", "has", "have", "not", "but",
    "all", "any", "can", "may", "must", "will", "into", "when", "then", "than", "else", "each", "its", "our",
    "their", "your", "you", "get", "set", "new", "old", "one", "two", "use", "used", "self", "cls", "init",
    "str", "int", "dict", "list", "none", "true", "false", "return", "returns", "value", "values", "object",
    "args", "kwargs", "data", "item", "items", "result", "name", "names", "type", "func", "function",
    "method", "class", "module", "test", "make", "run", "call", "create", "update", "delete", "add",
    "remove", "check", "handle", "process", "helper", "util", "utils", "base", "main", "default", "config",
})
# words of structure, not of the business: layer folders and framework module names
LAYER_WORDS = frozenset(w for folder in LAYER_FOLDERS for w in (folder, folder.rstrip("s"))) | frozenset({
    "admin", "urls", "url", "signal", "form", "setting", "settings", "wsgi", "asgi", "celery", "manage",
    "migration", "command", "management", "receiver", "factory", "factories", "testing", "middleware",
    "context", "processor", "templatetag", "tag", "apps", "model", "view", "serializer", "task", "handler"})
_NODE_KINDS = ("module", "class", "function", "method", "variable")


def words(text: str) -> list[str]:
    """`OrderLineItem`, `order_line_items`, "Order line items." -> order, line, item."""
    found = []
    for word in _WORD.findall(text):
        word = word.lower()
        if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        if len(word) >= MIN_WORD and not word.isdigit() and word not in STOP_WORDS and word not in LAYER_WORDS:
            found.append(word)
    return found


def unit_words(graph: CodeGraph, unit: Mapping[str, str]) -> dict[str, Counter[str]]:
    """unit -> how often each word occurs in the names and docstrings of its nodes."""
    bags: dict[str, Counter[str]] = {}
    split: dict[str, list[str]] = {}  # names and docstrings repeat (`save`, `__init__`)
    for node in graph.nodes(*_NODE_KINDS):
        owner = unit.get(node)
        if owner is None:
            continue
        bag = bags.setdefault(owner, Counter())
        kind = graph.attr(node, "kind")
        name = node if kind == "module" else node.rsplit(".", 1)[-1]
        if name.startswith("<"):  # a lambda: named by position only
            continue
        for text in (name, graph.attr(node, "doc")):
            if text:
                found = split.get(text)
                if found is None:
                    found = split[text] = words(text)
                bag.update(found)
    return bags


def vocabulary_pairs(graph: CodeGraph, unit: Mapping[str, str], top_k: int = TOP_K) -> dict[tuple[str, str], float]:
    """(unit a, unit b) with a < b -> cosine similarity of their TF-IDF word vectors, for
    each unit's `top_k` most similar units."""
    bags = unit_words(graph, unit)
    count = len(bags)
    if count < 2:
        return {}
    frequency: Counter[str] = Counter()
    for bag in bags.values():
        frequency.update(bag.keys())
    limit = max(2, min(int(MAX_SHARE * count), MAX_UNITS_PER_WORD))
    idf = {w: math.log(count / n) for w, n in frequency.items() if 2 <= n <= limit}
    vectors: dict[str, dict[str, float]] = {}
    for owner in sorted(bags):
        weights = {w: (1.0 + math.log(n)) * idf[w] for w, n in bags[owner].items() if w in idf}
        heaviest = sorted(weights.items(), key=lambda item: (-item[1], item[0]))[:TOP_TERMS]
        norm = math.sqrt(sum(v * v for _, v in heaviest))
        if norm:
            vectors[owner] = {w: v / norm for w, v in heaviest}
    postings: dict[str, list[tuple[str, float]]] = {}
    for owner, vector in vectors.items():
        for word, weight in vector.items():
            postings.setdefault(word, []).append((owner, weight))
    pairs: dict[tuple[str, str], float] = {}
    for owner, vector in vectors.items():
        scores: dict[str, float] = {}
        for word, weight in vector.items():
            for other, other_weight in postings[word]:
                if other != owner:
                    scores[other] = scores.get(other, 0.0) + weight * other_weight
        best = sorted(((s, o) for o, s in scores.items() if s >= MIN_SIMILARITY), key=lambda x: (-x[0], x[1]))
        for similarity, other in best[:top_k]:
            key = (owner, other) if owner < other else (other, owner)
            pairs[key] = round(similarity, 4)
    return pairs
