"""YAML for environment files: parse to a node graph (never construct objects), positions, plain values.

The composer (PyYAML's libyaml one when available, else ruamel.yaml's pure-Python safe one) builds nodes with
start/end marks and resolves aliases to the *same* node object, so an alias bomb ("billion laughs") costs no memory
while composing; nothing here constructs Python objects from tags. Both give the same node graph (YAML 1.2 core
resolution, same marks; checked on every corpus file), and the readers look at nodes only through duck typing and
:func:`kind`, so either may be used.
Every walk that could follow aliases is bounded by :data:`MAX_NODES` expanded nodes (counted with a memo, so the
check itself is linear), and a document over that limit is refused with a ParseError.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache
from typing import Any

from ...errors import ParseError
from ...span import Span, line_col

__all__ = [
    "LINE_BREAKS",
    "MAX_NODES",
    "compose",
    "end_line",
    "is_mapping",
    "is_scalar",
    "is_sequence",
    "kind",
    "line_body",
    "node_span",
    "plain_scalar",
    "split_lines",
    "to_plain",
    "yaml_scalar",
]

MAX_NODES = 200_000

_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"


LINE_BREAKS = "\r\n"  # ruamel's marks count \n, \r\n and a lone \r (not \x85, \u2028, \v, \f, ...)
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def split_lines(text: str) -> list[str]:
    """Lines with their terminators, numbered the way ruamel's marks number them."""
    return _LINE.findall(text)


def line_body(line: str) -> str:
    """A line without its terminator."""
    return line.rstrip(LINE_BREAKS)


Node = Any  # a PyYAML or ruamel.yaml node: start_mark/end_mark (line, column, index), value, tag, style


def is_scalar(node: Node) -> bool:
    return type(node).__name__ == "ScalarNode"


def is_mapping(node: Node) -> bool:
    return type(node).__name__ == "MappingNode"


def is_sequence(node: Node) -> bool:
    return type(node).__name__ == "SequenceNode"


def compose(text: str, path: str | None) -> Node | None:
    """The root node of ``text`` (``None`` for an empty document); YAML errors become ParseErrors."""
    _check_nesting(text, path)
    loader = _fast_loader(text)
    root = _compose_libyaml(text, path, loader) if loader is not None else _compose_ruamel(text, path)
    if root is not None:
        _check_size(root, path)
    return root


# Left to ruamel, where the two disagree (found by a differential property test): libyaml numbers lines after
# \x85, \u2028 and \u2029 too; a node with a tag and then an anchor starts at the anchor for ruamel (at the tag for
# libyaml); an empty value followed by an explicit ``?`` key or a ``:`` value indicator at the start of a line is
# placed differently; a %YAML directive switches ruamel's resolution to that version; ruamel reads a document marker
# after a block scalar as its content, and so a comment after a top-level one. Environment files use none of these
# (``---`` before any content is fine).
_SLOW = re.compile(r"[\x85\u2028\u2029]|![^\s,\[\]{}]*(?:\s|#[^\r\n]*)+&|(?:^|[\s\-?:])[?:](?:[ \t\r\n]|\Z)")
_DOC_MARKER = re.compile(r"(?:^|(?<=[\r\n]))(?:---|\.\.\.|%)(?=[ \t\r\n]|\Z|(?<=%))")
_NOT_CONTENT = re.compile(r"(?:[ \t\r\n]|#[^\r\n]*)*")


def _ruamel_only(text: str) -> bool:
    if _SLOW.search(text) is not None:
        return True
    start = _NOT_CONTENT.match(text).end()  # type: ignore[union-attr]
    if text.startswith("---", start):
        start = _NOT_CONTENT.match(text, start + 3).end()  # type: ignore[union-attr]
    if text[start : start + 1] in ("|", ">", "!", "&"):  # a top-level block scalar: ruamel reads `# c` in it
        return True
    for m in _DOC_MARKER.finditer(text):
        if m.group() != "---" or _NOT_CONTENT.fullmatch(text, 0, m.start()) is None:
            return True
    return False


_PREFIX = re.compile(r"^[ \t]*(?:(?:[-?:]|[&!][^ \t]*)[ \t]+)*", re.MULTILINE)
MAX_BLOCK_PREFIX = 200


def _fast_loader(text: str) -> Any:
    """PyYAML's libyaml composer with YAML 1.2 core resolution (as ruamel's), or None to use ruamel's."""
    loader = _libyaml_loader()
    if loader is None or _ruamel_only(text):
        return None
    if max(map(len, _PREFIX.findall(text)), default=0) > MAX_BLOCK_PREFIX:
        return None
    return loader


@lru_cache(maxsize=1)
def _libyaml_loader() -> Any:
    import yaml

    try:
        from yaml._yaml import CParser as c_parser  # what yaml.cyaml re-exports (the stubs name it here)
    except ImportError:  # PyYAML built without libyaml
        return None

    class Resolver12(yaml.resolver.BaseResolver):
        """ruamel.yaml's YAML 1.2 implicit resolvers (resolver.py, versions [(1, 2)])."""

    for tag, pattern, first in _RESOLVERS_12:
        Resolver12.add_implicit_resolver(tag, re.compile(pattern, re.VERBOSE), list(first))

    class Loader(c_parser, yaml.constructor.BaseConstructor, Resolver12):
        def __init__(self, stream: str) -> None:
            c_parser.__init__(self, stream)
            yaml.constructor.BaseConstructor.__init__(self)
            Resolver12.__init__(self)

    return Loader


_RESOLVERS_12: tuple[tuple[str, str, str | tuple[str, ...]], ...] = (
    (_BOOL, r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    (
        _FLOAT,
        r"""^(?:
         [-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
        |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
        |[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?
        |[-+]?\.(?:inf|Inf|INF)
        |\.(?:nan|NaN|NAN))$""",
        "-+0123456789.",
    ),
    (
        _INT,
        r"""^(?:[-+]?0b[0-1_]+
        |[-+]?0o?[0-7_]+
        |[-+]?[0-9_]+
        |[-+]?0x[0-9a-fA-F_]+)$""",
        "-+0123456789",
    ),
    ("tag:yaml.org,2002:merge", r"^(?:<<)$", "<"),
    (_NULL, r"^(?: ~ |null|Null|NULL | )$", ("~", "n", "N", "")),  # "": the empty plain scalar
    (
        "tag:yaml.org,2002:timestamp",
        r"""^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
        |[0-9][0-9][0-9][0-9] -[0-9][0-9]? -[0-9][0-9]?
        (?:[Tt]|[ \t]+)[0-9][0-9]?
        :[0-9][0-9] :[0-9][0-9] (?:\.[0-9]*)?
        (?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$""",
        "0123456789",
    ),
    ("tag:yaml.org,2002:value", r"^(?:=)$", "="),
    ("tag:yaml.org,2002:yaml", r"^(?:!|&|\*)$", "!&*"),
)

_NON_PRINTABLE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _compose_libyaml(text: str, path: str | None, loader: Any) -> Node | None:
    import yaml
    from yaml.reader import ReaderError as CReaderError

    try:
        parser = loader(text)
        try:
            root = parser.get_single_node()
        finally:
            parser.dispose()
    except (CReaderError, UnicodeEncodeError):  # libyaml counts UTF-8 bytes: locate the character in the text
        bad = _NON_PRINTABLE.search(text)
        line, col = line_col(text, bad.start()) if bad is not None else (1, 1)
        lines = split_lines(text)
        raise ParseError(
            f"invalid YAML: unacceptable character {bad.group() if bad else '?'!r} "
            "(special characters are not allowed)",
            span=Span(file=path, line=line, column=col),
            source_line=line_body(lines[line - 1]) if 0 < line <= len(lines) else None,
            dialect="yaml",
        ) from None
    except yaml.MarkedYAMLError as exc:
        raise _marked_error(exc, text, path) from None
    except yaml.YAMLError as exc:
        message = " ".join(str(exc).split())
        raise ParseError(
            f"invalid YAML: {message}", span=Span(file=path, line=1, column=1), dialect="yaml"
        ) from None
    if root is not None and not _align_marks(root, text, yaml.error.Mark):
        return _compose_ruamel(text, path)
    return root


_BLANKS = re.compile(r"(?:[ \t\r\n]|#[^\r\n]*)*")


def _align_marks(root: Node, text: str, mark: Any) -> bool:
    """Give libyaml's marks ruamel's values where the two differ: an empty block-mapping value starts where the next
    token starts (libyaml: right after the ``:``); without a final line break, what ends (or is empty) at the end of
    the text ends there (libyaml: on a line after the last). False when an empty value sits in a flow collection,
    where they differ otherwise: then ruamel composes the text."""
    starts = [0]
    for text_line in split_lines(text):
        starts.append(starts[-1] + len(text_line))
    open_end = bool(text) and text[-1] not in LINE_BREAKS
    last = len(starts) - 2 if open_end else len(starts) - 1
    eof = (
        mark("<unicode string>", len(text), last, len(text) - starts[last], None, None) if open_end else None
    )
    seen: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, in_flow = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if eof is not None:
            if node.end_mark.line > last:
                node.end_mark = eof
            if node.start_mark.line > last:
                node.start_mark = eof
        if is_scalar(node):
            s = node.start_mark
            if node.value or node.style not in (None, "") or s.index != node.end_mark.index or s is eof:
                continue
            if in_flow:
                return False
            offset = starts[s.line] + s.column
            if offset == 0 or text[offset - 1] != ":":
                continue  # after an anchor, a tag or a dash both agree
            end = _BLANKS.match(text, offset).end()  # type: ignore[union-attr]
            line = min(bisect_right(starts, end) - 1, last)
            node.start_mark = node.end_mark = mark(s.name, end, line, end - starts[line], None, None)
            continue
        flow = bool(getattr(node, "flow_style", False))
        if is_mapping(node):
            stack.extend((n, flow) for pair in node.value for n in pair)
        else:
            stack.extend((n, flow) for n in node.value)
    return True


def _marked_error(exc: Any, text: str, path: str | None) -> ParseError:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else 1
    col = mark.column + 1 if mark is not None else 1
    lines = split_lines(text)
    src = line_body(lines[line - 1]) if 0 < line <= len(lines) else None
    problem = " ".join(str(exc.problem or exc.context or "syntax error").split())
    return ParseError(
        f"invalid YAML: {problem}",
        span=Span(file=path, line=line, column=col),
        source_line=src,
        dialect="yaml",
    )


def _compose_ruamel(text: str, path: str | None) -> Node | None:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError
    from ruamel.yaml.reader import ReaderError

    # the safe composer: marks, no comment gathering (about 2x faster than the round-trip one)
    yaml = YAML(typ="safe", pure=True)
    try:
        return yaml.compose(text)
    except MarkedYAMLError as exc:
        raise _marked_error(exc, text, path) from None
    except ReaderError as exc:  # a character YAML does not allow (control characters, lone surrogates)
        line, col = line_col(text, max(0, int(exc.position)))
        lines = split_lines(text)
        raise ParseError(
            f"invalid YAML: unacceptable character {exc.character!r} ({exc.reason})",
            span=Span(file=path, line=line, column=col),
            source_line=line_body(lines[line - 1]) if 0 < line <= len(lines) else None,
            dialect="yaml",
        ) from None
    except RecursionError:  # ruamel composes recursively: thousands of nested [ or { exhaust the stack
        raise ParseError(
            "the YAML document is nested too deeply",
            span=Span(file=path, line=1, column=1),
            dialect="yaml",
            hint="environment files need only a few levels",
        ) from None
    except YAMLError as exc:  # other ruamel errors; keep the message on one line
        message = " ".join(str(exc).split())
        raise ParseError(
            f"invalid YAML: {message}", span=Span(file=path, line=1, column=1), dialect="yaml"
        ) from None


MAX_NESTING = 100
_BRACKETS = re.compile(r"[\[\]{}]")
_DASHES = re.compile(rf"(?:-[ \t]+){{{MAX_NESTING}}}")


def _check_nesting(text: str, path: str | None) -> None:
    """Refuse absurd nesting before ruamel sees it: its scanner is quadratic in open flow collections and its
    composer recursive, so thousands of ``[`` take seconds and then exhaust the stack."""
    depth = 0
    for m in _BRACKETS.finditer(text):
        depth = depth + 1 if m.group() in "[{" else max(0, depth - 1)
        if depth > MAX_NESTING:
            line, col = line_col(text, m.start())
            raise ParseError(
                f"the YAML document nests more than {MAX_NESTING} flow collections",
                span=Span(file=path, line=line, column=col),
                dialect="yaml",
            )
    dashes = _DASHES.search(text)
    if dashes is not None:
        line, col = line_col(text, dashes.start())
        raise ParseError(
            f"the YAML document nests more than {MAX_NESTING} block sequences",
            span=Span(file=path, line=line, column=col),
            dialect="yaml",
        )


def _check_size(root: Node, path: str | None) -> None:
    """Refuse documents whose alias expansion would exceed MAX_NODES nodes (linear time, memoised)."""
    sizes: dict[int, int] = {}
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if id(node) in sizes:
            continue
        if is_scalar(node):
            sizes[id(node)] = 1
            continue
        children = [v for pair in node.value for v in pair] if is_mapping(node) else list(node.value)
        if done:
            total = 1 + sum(sizes.get(id(c), 0) for c in children)
            if total > MAX_NODES:
                raise ParseError(
                    f"the YAML document expands to more than {MAX_NODES} nodes (alias bomb?)",
                    span=node_span(node, path),
                    dialect="yaml",
                    hint="environment files do not need anchors and aliases",
                )
            sizes[id(node)] = total
            continue
        stack.append((node, True))
        stack.extend((c, False) for c in children if id(c) not in sizes)


def node_span(node: Node, path: str | None, key: str | None = None) -> Span:
    m = node.start_mark
    e = node.end_mark
    return Span(
        file=path, line=m.line + 1, column=m.column + 1, end_line=e.line + 1, end_column=e.column + 1, key=key
    )


def end_line(node: Node) -> int:
    """0-based line of the last character of ``node`` (block collections end where the next token starts)."""
    if is_scalar(node) or getattr(node, "flow_style", False):
        e = node.end_mark
        if e.index == node.start_mark.index:  # an empty value (``key:`` alone) occupies no line of its own
            return -1
        line: int = e.line if e.column > 0 or e.line == node.start_mark.line else e.line - 1
        return line
    last: int = node.start_mark.line
    seen: set[int] = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        if is_scalar(n) or getattr(n, "flow_style", False):
            last = max(last, end_line(n) if n is not node else n.start_mark.line)
        elif is_mapping(n):
            stack.extend(v for pair in n.value for v in pair)
        else:
            stack.extend(n.value)
    return last


def kind(node: Node) -> str:
    name = type(node).__name__
    if name == "ScalarNode":
        return "null" if node.tag == _NULL else "scalar"
    if name == "MappingNode":
        return "mapping"
    if name == "SequenceNode":
        return "sequence"
    return "node"  # pragma: no cover


def plain_scalar(node: Node) -> Any:
    """The value of a scalar as YAML 1.2 core resolves it (strings stay strings; no custom tags constructed)."""
    text = node.value
    if node.style not in (None, ""):
        return text
    tag = node.tag
    try:
        if tag == _NULL:
            return None
        if tag == _BOOL:
            return text.lower() in ("true", "yes", "on")
        if tag == _INT:
            return (
                int(text.replace("_", ""), 0)
                if text[:2].lower() in ("0x", "0o", "0b")
                else int(text.replace("_", ""))
            )
        if tag == _FLOAT:
            return float(text.replace("_", ""))
    except ValueError:
        return text
    return text


MAX_DEPTH = 64


def to_plain(node: Node, path: str | None = None, depth: int = 0) -> Any:
    """Plain Python data (dict/list/str/int/float/bool/None) of a node; size already bounded by compose()."""
    if depth > MAX_DEPTH:
        raise ParseError(
            f"a value nested more than {MAX_DEPTH} levels deep", span=node_span(node, path), dialect="yaml"
        )
    if is_scalar(node):
        return plain_scalar(node)
    if is_mapping(node):
        out: dict[Any, Any] = {}
        for k, v in node.value:
            key = to_plain(k, path, depth + 1)
            key = key if isinstance(key, str | int | float | bool) or key is None else str(key)
            out[key] = to_plain(v, path, depth + 1)
        return out
    return [to_plain(v, path, depth + 1) for v in node.value]


_SAFE_PLAIN = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.=<>!~*,|/+@;' ()\[\]-]*$")
_IMPLICIT = re.compile(
    r"^(?:[-+]?(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?|0[xob][0-9a-fA-F_]+|"
    r"true|false|yes|no|on|off|null|y|n)$",
    re.IGNORECASE,
)


@lru_cache(maxsize=65536)
def yaml_scalar(text: str) -> str:
    """``text`` as a YAML flow scalar: plain when it reads back as the same string, else double-quoted."""
    if (
        text and text == text.strip() and not _IMPLICIT.match(text)
    ):  # quote what YAML 1.1 or 1.2 reads as non-str
        if _SAFE_PLAIN.match(text) and " #" not in text:
            return text  # only characters that cannot start or end a YAML construct in block context
        if _reads_back(text):
            return text
    import json  # (writing only: a read needs no json)

    return json.dumps(text, ensure_ascii=False)


def _reads_back(text: str, *, ruamel_only: bool = False) -> bool:
    """Whether ``- text`` reads back as the plain string ``text``: with libyaml when it can (the same answer as
    ruamel.yaml's, held by tests/converters/test_conda.py, ~50x faster), else (or with ``ruamel_only``) ruamel."""
    if any(c in text for c in "\n\r\t") or text[0] in "!&*{}[]|>'\"%@`#,?:-" and not _dash_ok(text):
        return False
    if ": " in text or " #" in text or text.endswith(":"):
        return False
    doc = f"- {text}\n"
    loader = None if ruamel_only else _fast_loader(doc)
    if loader is not None:
        import yaml

        try:
            parser = loader(doc)
            try:
                node = parser.get_single_node()
            finally:
                parser.dispose()
        except (yaml.YAMLError, UnicodeEncodeError):
            return False
    else:
        from ruamel.yaml import YAML
        from ruamel.yaml.error import YAMLError

        try:
            node = YAML(typ="safe", pure=True).compose(doc)
        except YAMLError:
            return False
    if not is_sequence(node) or len(node.value) != 1:
        return False
    item = node.value[0]
    return is_scalar(item) and item.value == text and item.tag == "tag:yaml.org,2002:str"


def _dash_ok(text: str) -> bool:
    """``-e .`` and ``--pre`` are plain scalars (a dash followed by a non-space)."""
    return text[0] == "-" and len(text) > 1 and text[1] not in " \t"
