"""The YAML adapter: ruamel.yaml round-trip trees, their line numbers, and edits that keep comments.

ruamel keeps a comment in the slot of the scalar just before it: an entry's own
end-of-line comment and any full-line comments that follow it share one token. So
removing an entry naively drops the comments written *under* it (which describe the
next entry), and appending after a last entry puts the new line under comments that
belong to the next key. `take` and `put` move those following lines so that an edit
only ever drops the removed entry's own end-of-line comment.

Plans are read with a composer that refuses anchors and aliases (a few hundred bytes of
nested aliases expand to gigabytes) and nesting deeper than `MAX_DEPTH` (ruamel composes
recursively): both are YAML errors at their line.

`load_fast` reads a plan for looking at, not editing: libyaml's event parser (PyYAML's C
extension, when it is installed) with the values and line numbers ruamel would give, about
twenty times faster; it returns None (and the caller parses with ruamel) for anything it is
not sure to read exactly as ruamel does: a syntax error, anchors, tags, merge keys,
duplicate keys, complex keys, deep nesting, directives or more than one document.

Nothing else in the analyzer imports ruamel (the extractor reads generated SAM templates with
ruamel's safe loader, a plain read).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.composer import Composer, ComposerError
from ruamel.yaml.error import CommentMark, MarkedYAMLError
from ruamel.yaml.events import AliasEvent
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.tokens import CommentToken

Tree = CommentedMap
Container = CommentedMap | CommentedSeq
YAMLSyntaxError = MarkedYAMLError
_SLOT = {CommentedMap: 2, CommentedSeq: 0}  # where ruamel keeps a value's trailing comment
MAX_DEPTH = 64  # a plan needs about 6 levels


class _PlainComposer(Composer):
    """ruamel's composer, refusing anchors (`&name`) and aliases (`*name`)."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.parser.peek_event()
        if isinstance(event, AliasEvent) or getattr(event, "anchor", None) is not None:
            raise ComposerError(None, None, "YAML anchors and aliases (&name, *name) are not allowed in a plan",
                                event.start_mark)
        return super().compose_node(parent, index)


@dataclass(frozen=True)
class Layout:
    """Indentation of a file, so a rewrite changes only the lines an edit touched."""

    mapping: int = 2
    sequence: int = 4
    offset: int = 2


def guess_layout(text: str) -> Layout:
    """The indentation the file already uses (the default for files we start)."""
    mapping = _first_step(re.finditer(r"^( *)[^\s#-][^\n]*:[ \t]*(?:#[^\n]*)?\n(?:[ \t]*#[^\n]*\n)*( *)[^\s#-]",
                                      text, re.M))
    offset = _first_step(re.finditer(r"^( *)[^\s#-][^\n]*:[ \t]*(?:#[^\n]*)?\n(?:[ \t]*#[^\n]*\n)*( *)- ",
                                     text, re.M), allow_zero=True)
    mapping = mapping or Layout.mapping
    offset = Layout.offset if offset is None else offset
    return Layout(mapping, offset + 2, offset)


def _first_step(matches: Any, allow_zero: bool = False) -> int | None:
    for match in matches:
        step = len(match.group(2)) - len(match.group(1))
        if step > 0 or (allow_zero and step == 0):
            return step
    return None


def _yaml(layout: Layout) -> YAML:
    yaml = YAML()  # round-trip mode
    yaml.Composer = _PlainComposer
    yaml.max_depth = MAX_DEPTH
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold a long line a person wrote on one line
    yaml.indent(mapping=layout.mapping, sequence=layout.sequence, offset=layout.offset)
    return yaml


def load(text: str) -> Any:
    """The round-trip tree of `text` (raises YAMLSyntaxError with the line in `problem_mark`)."""
    return _yaml(Layout()).load(text)


class _NotSure(Exception):
    """The fast reader met something ruamel must read."""


_STR = "tag:yaml.org,2002:str"
_PLAIN_SCALAR = (True, False)
# A plain scalar that starts with a letter and holds a dot between name characters (a module name or
# glob, most of a plan) is a string under every implicit rule of YAML 1.2 (booleans and nulls have no
# dot, numbers and timestamps start with a digit, a sign or a dot): asking ruamel's resolver costs
# half of reading a plan.
_DOTTED_NAME = re.compile(r"[A-Za-z_][\w*?\[\]-]*(?:\.[\w*?\[\]-]+)+")
_READER: dict[str, Any] = {}


def _reader() -> Any:
    """ruamel's resolver and constructor, used for the few scalars that are not plain strings."""
    if not _READER:
        yaml = _yaml(Layout())
        _READER["resolver"], _READER["constructor"] = yaml.resolver, yaml.constructor
        _READER["yaml"] = yaml
    return _READER


def _c_parser() -> Any:
    try:
        from yaml import StreamEndEvent  # noqa: F401  (PyYAML; optional, with its C extension)
        from yaml._yaml import CParser
    except ImportError:
        return None
    return CParser


def load_fast(text: str) -> Any:
    """The tree ruamel's `load` would give (values, types and line numbers; no comments), or
    None when the text is not plainly a single-document plan (then use `load`)."""
    parser_class = _c_parser()
    if parser_class is None:
        return None
    import yaml

    parser = parser_class(text)
    try:
        return _compose(parser, yaml)
    except (_NotSure, yaml.YAMLError, RecursionError, ValueError, TypeError):
        return None
    finally:
        parser.dispose()


def _compose(parser: Any, yaml: Any) -> Any:
    reader = _reader()
    resolve, constructor = reader["resolver"].resolve, reader["constructor"]
    event = parser.get_event()
    if not isinstance(event, yaml.StreamStartEvent):
        raise _NotSure
    event = parser.get_event()
    if not isinstance(event, yaml.DocumentStartEvent) or event.version is not None or event.tags:
        raise _NotSure
    stack: list[list[Any]] = []  # [container, pending key node (maps)]
    root: Any = None
    scalar_event, map_start, seq_start = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent
    end_events = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
    while True:
        event = parser.get_event()
        if isinstance(event, end_events):
            done = stack.pop()[0]
            if not stack:
                root = done
                break
            _add(stack[-1], done, event, yaml)
            continue
        if getattr(event, "anchor", None) is not None or isinstance(event, yaml.AliasEvent):
            raise _NotSure
        mark = event.start_mark
        if isinstance(event, scalar_event):
            value = _scalar(event, resolve, constructor)
            if not stack:
                raise _NotSure  # a document that is one scalar (an error for a plan anyway)
            top = stack[-1]
            if isinstance(top[0], CommentedMap) and top[1] is None:
                if (value == "<<" and event.style == "") or (isinstance(value, float) and value != value):
                    raise _NotSure  # a merge key; NaN (never equal to itself)
                if value in top[0] or value in top[2]:
                    raise _NotSure  # ruamel's duplicate-key error, with its words
                top[1] = (value, mark.line, mark.column)
                continue
            _add(top, value, event, yaml)
            continue
        if event.tag is not None:
            raise _NotSure
        if isinstance(event, map_start):
            node: Any = CommentedMap()
        elif isinstance(event, seq_start):
            node = CommentedSeq()
        else:
            raise _NotSure
        node._yaml_set_line_col(mark.line, mark.column)
        if stack and isinstance(stack[-1][0], CommentedMap) and stack[-1][1] is None:
            raise _NotSure  # a mapping or list as a key
        stack.append([node, None, set()])
        if len(stack) > MAX_DEPTH:
            raise _NotSure
    if not isinstance(parser.get_event(), yaml.DocumentEndEvent):
        raise _NotSure
    if not isinstance(parser.get_event(), yaml.StreamEndEvent):
        raise _NotSure  # a second document
    return root


def _scalar(event: Any, resolve: Any, constructor: Any) -> Any:
    if event.tag is not None:
        raise _NotSure
    plain = event.style == "" or event.style is None
    if plain and event.implicit[0]:
        if _DOTTED_NAME.fullmatch(event.value):
            return event.value
        tag = resolve(ScalarNode, event.value, _PLAIN_SCALAR)
        if tag == _STR:
            return event.value
        if tag not in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null",
                       "tag:yaml.org,2002:float"):
            raise _NotSure
    elif not plain and event.style in ("'", '"'):
        tag = _STR
    else:
        raise _NotSure  # block scalars (| and >) keep their style in ruamel's types
    node = ScalarNode(tag, event.value, None, None, style=None if plain else event.style)
    try:
        return constructor.construct_object(node)
    finally:
        constructor.constructed_objects.pop(node, None)


def _add(top: list[Any], value: Any, event: Any, yaml: Any) -> None:
    container, mark = top[0], event.start_mark
    if isinstance(value, CommentedMap | CommentedSeq):
        line, column = value.lc.line, value.lc.col
    else:
        line, column = mark.line, mark.column
    if isinstance(container, CommentedMap):
        key, key_line, key_column = top[1]
        container[key] = value
        top[2].add(key)
        container._yaml_set_kv_line_col(key, [key_line, key_column, line, column])
        top[1] = None
    else:
        container._yaml_set_idx_line_col(len(container), [line, column])
        container.append(value)


def dump(tree: Any, layout: Layout) -> str:
    stream = io.StringIO()
    _yaml(layout).dump(tree, stream)
    return stream.getvalue()


def line_of(tree: Any, *path: str | int) -> int | None:
    """The 1-based line of the key or item at `path` (the deepest known ancestor's line if
    the path runs out), or None for nodes that did not come from a file."""
    node, line = tree, None
    for step in path:
        if not isinstance(node, CommentedMap | CommentedSeq):
            break
        found = _position(node, step)
        if found is None:
            break
        line = found
        node = node[step]
    return line


def _position(node: Container, step: str | int) -> int | None:
    try:
        if isinstance(node, CommentedMap):
            return node.lc.key(step)[0] + 1 if step in node else None
        return node.lc.item(step)[0] + 1 if isinstance(step, int) and 0 <= step < len(node) else None
    except (KeyError, IndexError, TypeError):
        return None


# -- comment-keeping edits -------------------------------------------------------------


def take(container: Container, key: Any) -> str | None:
    """Remove `container[key]`; return its end-of-line comment (scalars only), and keep the
    full-line comments that followed it where they were."""
    keys = list(container) if isinstance(container, CommentedMap) else list(range(len(container)))
    index = keys.index(key)
    scalar = not isinstance(container[key], CommentedMap | CommentedSeq)
    token = _tail_token(container, key)
    eol, following = _split(token.value if token else "")
    if token is not None and following and not scalar:
        token.value = eol or "\n"  # the lines below belong here, not to the value that may be put elsewhere
    del container[key]
    if not container:
        container.fa.set_flow_style()  # `key: []  # comment`; a block `[]` under a commented key is not YAML
    if following and index > 0:
        _append_following(container, keys[index - 1], following)
    elif following:
        _keep_before_first(container, following)
    return (eol.strip() or None) if scalar else None


def put(container: Container, key: Any, value: Any, eol: str | None = None, *, position: int | None = None) -> None:
    """Insert `value` at `position` (default: the end); comments that stood between the
    previous entry and the next one stay before the next one."""
    size = len(container)
    position = size if position is None else position
    previous = _key_at(container, position - 1) if position > 0 else None
    following = ""
    if previous is not None:
        token = _tail_token(container, previous)
        eol_before, following = _split(token.value if token else "")
        if token is not None and following:
            token.value = eol_before or "\n"
    if not container:
        container.fa.set_block_style()
    if isinstance(container, CommentedMap):
        container.insert(position, key, value)
    else:
        container.insert(position, value)
        key = position
    if eol:
        container.yaml_add_eol_comment("# " + eol.lstrip("# "), key)
    if following:
        _append_following(container, key, following)


def rename_key(mapping: CommentedMap, old: str, new: str) -> None:
    """Rename in place: same position, same comments."""
    position = list(mapping).index(old)
    comment = mapping.ca.items.pop(old, None)
    value = mapping.pop(old)
    mapping.insert(position, new, value)
    if comment is not None:
        mapping.ca.items[new] = comment


def _key_at(container: Container, position: int) -> Any:
    return list(container)[position] if isinstance(container, CommentedMap) else position


def _tail_owner(container: Container, key: Any) -> tuple[Container, Any]:
    """The container and key whose comment slot holds the comments after `container[key]`:
    the last scalar inside it (block collections), or the entry itself."""
    value = container[key]
    while isinstance(value, CommentedMap | CommentedSeq) and len(value) and not value.fa.flow_style():
        container = value
        key = list(value)[-1] if isinstance(value, CommentedMap) else len(value) - 1
        value = container[key]
    return container, key


def _tail_token(container: Container, key: Any) -> CommentToken | None:
    owner, owner_key = _tail_owner(container, key)
    slot = owner.ca.items.get(owner_key)
    position = _SLOT[type(owner)]
    return slot[position] if slot and len(slot) > position else None


def _append_following(container: Container, key: Any, following: str) -> None:
    owner, owner_key = _tail_owner(container, key)
    position = _SLOT[type(owner)]
    slot = owner.ca.items.setdefault(owner_key, [None, None, None, None])
    token = slot[position]
    if token is None:
        slot[position] = CommentToken("\n" + following, CommentMark(0))
    else:
        eol, rest = _split(token.value)
        token.value = (eol or "\n") + rest + following


def _keep_before_first(container: Container, following: str) -> None:
    """Comments that followed a removed first entry now stand before the new first entry."""
    comment = container.ca.comment
    if comment and isinstance(comment[0], CommentToken):
        # the key's own end-of-line comment (`modules:  # ...`): ruamel writes the lines
        # before the first entry only from this token, not from the list after it
        eol, lines = _split(comment[0].value)
        comment[0].value = (eol or "\n") + lines + following
        return
    if comment is None:
        container.ca.comment = comment = [None, []]
    while len(comment) < 2:
        comment.append([])
    if comment[1] is None:
        comment[1] = []
    comment[1].append(CommentToken(following, CommentMark(0)))


def _split(value: str) -> tuple[str, str]:
    """A comment token's text as (its end-of-line part, the full lines after it)."""
    if not value:
        return "", ""
    first, _, rest = value.partition("\n")
    return (first + "\n" if first.strip() else ""), rest


def new_map(items: dict[str, Any] | None = None) -> CommentedMap:
    return CommentedMap(items or {})


def new_seq(items: list[Any] | None = None) -> CommentedSeq:
    return CommentedSeq(items or [])


def set_header(tree: CommentedMap, text: str) -> None:
    """A comment block above the first key (for files we start)."""
    tree.yaml_set_start_comment(text)


def is_map(node: Any) -> bool:
    return isinstance(node, CommentedMap)


def is_seq(node: Any) -> bool:
    return isinstance(node, CommentedSeq)


__all__ = ["Layout", "Tree", "YAMLSyntaxError", "dump", "guess_layout", "line_of", "load",
           "new_map", "new_seq", "put", "rename_key", "set_header", "take"]
