"""IR -> requirements file, fresh or by editing an existing one (base mode).

Fresh mode writes a conventional file: the manifest's comments, then indexes, ``--no-index``, ``--pre``,
installer options and ``-r``/``-c`` includes, a blank line, then the requirements (see :mod:`.render`).

Base mode reads ``base`` into the line model and touches only what changed: a requirement whose meaning is the
same as in the manifest (name, extras, version, marker, source, editable, hashes, options; spans and comments
aside) keeps its exact bytes; a changed one is re-rendered in place (its trailing comment kept); one the manifest
no longer has is deleted with the indented comment lines that belong to it; new ones are appended after the last
requirement. Option lines work the same way, token by token.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Hashable, Sequence

from ...format import WriteOptions
from ...ir.model import Index, IndexRole, Manifest, Requirement
from ...report import Report, Severity
from .bulk import paused_gc
from .hashmode import check_hash_mode
from .lines import COMMENT_RE, Document, Entry, Kind, parse_document
from .options import Token
from .reader import read_document
from .render import comment_line, option_flag, quote, requirement_lines
from .urls import trusted_host

__all__ = ["write"]


def _requirements(manifest: Manifest, options: WriteOptions) -> list[Requirement]:
    reqs = list(manifest.requirements())
    if options.no_hashes:
        reqs = [r.replace(hashes=()) if r.hashes else r for r in reqs]
    return reqs


def _core(req: Requirement) -> tuple[Hashable, ...]:
    """What a requirement means, as a hashable value: every field but its span, comments and raw carriers."""
    return (
        req.name,
        req.extras,
        req.version,
        req.marker,
        req.source,
        req.editable,
        req.optional,
        req.allow_prereleases,
        req.hashes,
        req.options,
    )


def _identity(req: Requirement) -> Hashable:
    """Which dependency ``req`` is, possibly changed: the same name, or the same source for unnamed ones (and the
    same editable flag); base mode re-renders a requirement in place when its identity is kept."""
    return (req.editable, req.key) if req.name else (req.editable, "", req.source)


# ------------------------------------------------------------------------------------------ option items


def _index_items(index: Index, report: Report, trusted: set[str]) -> list[tuple[Hashable, ...]]:
    """``--index-url``/``--extra-index-url``/``--find-links`` for ``index``, then ``--trusted-host`` when it is
    read without TLS verification (once per host: ``trusted`` holds the hosts already written)."""
    items: list[tuple[Hashable, ...]] = []
    flag = option_flag(index)
    if index.role in (IndexRole.SUPPLEMENTAL, IndexRole.EXPLICIT):
        report.add(
            "requirements-index-role-widened",
            Severity.WARNING,
            f"index {index.name or index.url!r} is {index.role.value}; pip searches every --extra-index-url "
            "for every package",
            subject=index.name or index.url,
            span=index.span,
            data={"role": index.role.value},
        )
    items.append((flag[2:], index.url))
    if index.verify_ssl is False:
        host = trusted_host(index.url)
        if host and host not in trusted:
            trusted.add(host)
            items.append(("trusted-host", host))
    return items


def _manifest_items(manifest: Manifest, report: Report, *, fresh: bool = True) -> list[tuple[Hashable, ...]]:
    """The manifest-wide options as (pip option name, value) items, in the conventional order.

    A fresh file gets one ``--index-url`` (further default indexes become extra ones, reported); base mode
    keeps what the file already says.
    """
    items: list[tuple[Hashable, ...]] = []
    trusted: set[str] = set()
    defaults = [i for i in manifest.indexes if i.role is IndexRole.DEFAULT] if fresh else []
    for index in defaults[1:]:
        report.add(
            "requirements-second-default-index",
            Severity.WARNING,
            f"{index.url!r} is a second default index; pip takes one --index-url, so it is written as "
            "--extra-index-url",
            subject=index.url,
            span=index.span,
        )
    for index in manifest.indexes:
        if fresh and index.role is IndexRole.DEFAULT and index is not defaults[0]:
            index = Index(name=index.name, url=index.url, role=IndexRole.EXTRA, verify_ssl=index.verify_ssl)
        if index.role is not IndexRole.FIND_LINKS:
            items.extend(_index_items(index, report, trusted))
    items.sort(key=lambda item: item[0] != "index-url")
    for index in manifest.indexes:
        if index.role is IndexRole.FIND_LINKS:
            items.extend(_index_items(index, report, trusted))
    if manifest.no_index:
        items.append(("no-index", None))
    if manifest.allow_prereleases:
        items.append(("pre", None))
    for option in manifest.options:
        items.append((option.name, option.value))
    for kind, path in manifest.includes:
        items.append((kind, path))
    return items


def _says_pre(m: Manifest) -> bool:
    return bool(m.allow_prereleases)


def _says_no_index(m: Manifest) -> bool:
    return m.no_index


_FLAGS: dict[tuple[Hashable, ...], Callable[[Manifest], bool]] = {
    ("pre", None): _says_pre,
    ("no-index", None): _says_no_index,
}


def _token_item(token: Token) -> tuple[Hashable, ...]:
    return (token.name, token.value)


def _item_text(item: tuple[Hashable, ...]) -> str:
    name, value = item[0], item[1]
    short = {"requirement": "-r", "constraint": "-c"}.get(str(name))
    if value is None:
        return f"--{name}"
    if short:
        return f"{short} {quote(str(value))}"
    return f"--{name} {quote(str(value))}"


# -------------------------------------------------------------------------------------------------- fresh


def _fresh(manifest: Manifest, reqs: list[Requirement], report: Report) -> str:
    out: list[str] = [comment_line(t) for c in manifest.comments for t in (c.splitlines() or [""])]
    if out:
        out.append("")
    head = [_item_text(item) for item in _manifest_items(manifest, report)]
    out += head
    if head and reqs:
        out.append("")
    for req in reqs:
        out += requirement_lines(req, report)
    return "".join(line + "\n" for line in out)


# --------------------------------------------------------------------------------------------------- base


def _eol(doc: Document) -> str:
    for entry in doc.entries:
        if entry.eol:
            return entry.eol
    return "\n"


def _attached(entries: tuple[Entry, ...], i: int) -> int:
    """The index after the indented comment lines that belong to the requirement at ``i``."""
    j = i + 1
    while j < len(entries) and entries[j].kind is Kind.COMMENT and entries[j].indent:
        j += 1
    return j


Opcode = tuple[str, int, int, int, int]


def _anchors(a: Sequence[Hashable], b: Sequence[Hashable]) -> list[tuple[int, int]]:
    """Patience diff's anchors: values found exactly once in ``a`` and once in ``b``, the longest run of them in
    the same order in both (a longest increasing subsequence, O(n log n))."""
    count_a = Counter(a)
    count_b = Counter(b)
    where_b = {x: j for j, x in enumerate(b) if count_b[x] == 1}
    pairs = [(i, where_b[x]) for i, x in enumerate(a) if count_a[x] == 1 and x in where_b]
    tails: list[int] = []  # tails[k]: the smallest b position ending an increasing run of length k + 1
    ends: list[int] = []  # ... and the index in pairs of that run's last pair
    back: list[int] = []  # index in pairs of the previous pair in the run ending at each pair (-1: none)
    for p, (_, j) in enumerate(pairs):
        k = bisect_left(tails, j)
        back.append(ends[k - 1] if k else -1)
        if k == len(tails):
            tails.append(j)
            ends.append(p)
        else:
            tails[k] = j
            ends[k] = p
    run: list[tuple[int, int]] = []
    p = ends[-1] if ends else -1
    while p >= 0:
        run.append(pairs[p])
        p = back[p]
    run.reverse()
    return run


def _opcodes(base_reqs: list[Requirement], reqs: list[Requirement]) -> list[Opcode]:
    """Opcodes (difflib's shape) aligning the requirements' meanings (:func:`_core`).

    The equal head and tail are matched first (a rewrite usually changes a few lines), then the values unique to
    both sides anchor the middle (patience diff), and difflib aligns only the gaps between anchors. difflib
    alone is quadratic when matches are many short runs (every other requirement changed: 7.7 s for 8,000
    lines); this is O(n log n) plus difflib on gaps without a unique common value.
    """
    from difflib import SequenceMatcher

    n, m = len(base_reqs), len(reqs)
    head = 0
    while head < n and head < m and _core(base_reqs[head]) == _core(reqs[head]):
        head += 1
    tail = 0
    while tail < n - head and tail < m - head and _core(base_reqs[n - 1 - tail]) == _core(reqs[m - 1 - tail]):
        tail += 1
    out: list[Opcode] = []
    if head:
        out.append(("equal", 0, head, 0, head))
    # the middle's meanings, offset by head (an unchanged file has none: nothing more is built)
    a = [_core(r) for r in base_reqs[head : n - tail]]
    b = [_core(r) for r in reqs[head : m - tail]]
    i0, j0 = head, head
    for ai, bj in [*((i + head, j + head) for i, j in _anchors(a, b)), (n - tail, m - tail)]:
        if i0 < ai or j0 < bj:
            gap = SequenceMatcher(None, a[i0 - head : ai - head], b[j0 - head : bj - head], autojunk=False)
            out += [(tag, i1 + i0, i2 + i0, j1 + j0, j2 + j0) for tag, i1, i2, j1, j2 in gap.get_opcodes()]
        if ai < n - tail:
            out.append(("equal", ai, ai + 1, bj, bj + 1))
        i0, j0 = ai + 1, bj + 1
    if tail:
        out.append(("equal", n - tail, n, m - tail, m))
    return out


def _match(
    base_reqs: list[Requirement], reqs: list[Requirement]
) -> tuple[list[int | None], dict[int, list[int]]]:
    """Align the base file's requirements with the manifest's, keeping order.

    Returns, for each base requirement, the index of its manifest requirement (``None``: deleted), and the
    manifest requirements to insert before base requirement ``b`` (key ``len(base_reqs)``: after the last).
    """
    matched: list[int | None] = [None] * len(base_reqs)
    inserts: dict[int, list[int]] = {}
    for tag, i1, i2, j1, j2 in _opcodes(base_reqs, reqs):
        if tag == "equal":
            matched[i1:i2] = range(j1, j2)
            continue
        # Pair changed requirements in order: each base requirement takes the first manifest requirement at or
        # after j that is the same dependency; the skipped ones are inserted before it; a base requirement with
        # none is deleted. Positions by identity keep this O(n log n) (a scan per base requirement was
        # quadratic when many were deleted: 5.7 s for 2,500 deletions among 5,000 lines).
        where: dict[Hashable, list[int]] = {}
        for m in range(j1, j2):
            where.setdefault(_identity(reqs[m]), []).append(m)
        j = j1
        for i in range(i1, i2):
            found = where.get(_identity(base_reqs[i]))
            if not found:
                continue
            k = bisect_left(found, j)
            if k == len(found):
                continue
            m = found[k]
            inserts.setdefault(i, []).extend(range(j, m))
            matched[i] = m
            j = m + 1
        if j < j2:
            inserts.setdefault(i2, []).extend(range(j, j2))
    return matched, inserts


def _edit(
    manifest: Manifest, reqs: list[Requirement], base: str, report: Report, options: WriteOptions
) -> str:
    doc = parse_document(base, options.path)
    entries = doc.entries
    eol = _eol(doc)
    parts = read_document(doc)
    base_reqs = parts.requirements
    req_entries = [i for i, e in enumerate(entries) if e.kind is Kind.REQUIREMENT]
    matched, inserts = _match(base_reqs, reqs)

    wanted = Counter(_manifest_items(manifest, Report(), fresh=False))
    order = _manifest_items(manifest, report, fresh=False)
    texts: list[str | None] = [e.text for e in entries]
    last_option: int | None = None
    for i, entry in enumerate(entries):
        if entry.kind is not Kind.OPTION:
            continue
        last_option = i
        kept: list[Token] = []
        for token in entry.options:
            item = _token_item(token)
            if token.name in ("hash", "config-settings"):
                kept.append(token)  # pip ignores these here; they are not the manifest's to remove
            elif item in _FLAGS and _FLAGS[item](manifest):
                kept.append(token)  # a repeated --pre/--no-index says the same thing again
                wanted[item] = 0
            elif wanted[item] > 0:
                wanted[item] -= 1
                kept.append(token)
        if len(kept) == len(entry.options):
            continue
        if not kept:
            texts[i] = None
            continue
        comment = f"  {entry.comment}" if entry.comment else ""
        texts[i] = entry.indent + " ".join(t.text for t in kept) + comment + (entry.eol or eol)

    for b, i in enumerate(req_entries):
        entry = entries[i]
        target = matched[b]
        if target is None:
            for j in range(i, _attached(entries, i)):
                texts[j] = None
            continue
        req = reqs[target]
        if _core(req) == _core(base_reqs[b]):
            continue
        lines = requirement_lines(req, report, comments=False)
        if entry.comment and entry.comment.endswith("\\"):
            lines.append(f"    {entry.comment}")  # trailing, it would continue the line into the next one
        elif entry.comment:
            lines[-1] += f"  {entry.comment}"
        texts[i] = eol.join(lines) + (entry.eol or eol)

    add_options: list[str] = []
    for item in order:
        if wanted[item] > 0:
            wanted[item] -= 1
            add_options.append(_item_text(item) + eol)

    def rendered(indexes: list[int]) -> list[str]:
        return [line + eol for k in indexes for line in requirement_lines(reqs[k], report)]

    before: dict[int, list[str]] = {}  # entry index -> new requirement lines to put before it
    for b, indexes in inserts.items():
        if b < len(req_entries):
            before[_leading_start(entries, req_entries[b])] = rendered(indexes)
    add_reqs = rendered(inserts.get(len(base_reqs), []))

    out: list[str] = []
    req_anchor = _attached(entries, req_entries[-1]) - 1 if req_entries else len(entries) - 1
    option_anchor = last_option if last_option is not None else _top_anchor(entries)
    if option_anchor == -1 and add_options:
        out += add_options
    for i, text in enumerate(texts):
        if i in before:
            _terminate(out, eol)
            out += before[i]
        if text is not None:
            out.append(text)
        if i == option_anchor and add_options:
            _terminate(out, eol)
            out += add_options
        if i == req_anchor and add_reqs:
            _terminate(out, eol)
            out += add_reqs
    if not entries and add_reqs:
        out += add_reqs
    return doc.bom + "".join(out)


def _leading_start(entries: tuple[Entry, ...], i: int) -> int:
    """The first of the comment lines directly above entry ``i`` that belong to it (``i`` when none)."""
    while i > 0 and entries[i - 1].kind is Kind.COMMENT and not entries[i - 1].indent:
        i -= 1
    return i


def _top_anchor(entries: tuple[Entry, ...]) -> int:
    """Where new option lines go in a file without any: after a leading comment block closed by a blank line."""
    i = 0
    while i < len(entries) and entries[i].kind is Kind.COMMENT:
        i += 1
    if 0 < i < len(entries) and entries[i].kind is Kind.BLANK:
        return i - 1
    return -1


def _terminate(out: list[str], eol: str) -> None:
    """End the text so far with a line break, and close a dangling ``\\`` continuation with an empty line
    (pip joins the empty line and ends the logical line there), so that what follows stays its own line."""
    if not out:
        return
    if not out[-1].endswith(("\n", "\r")):
        out[-1] += eol
    last = out[-1].splitlines()[-1] if out[-1].strip() else ""
    if last.endswith("\\") and COMMENT_RE.match(last) is None:
        out[-1] += eol


def write(manifest: Manifest, *, base: str | None, report: Report, options: WriteOptions) -> str:
    """The text of ``manifest`` as a requirements file (``base``: the existing text to edit in place)."""
    reqs = _requirements(manifest, options)
    check_hash_mode(reqs, report)
    if base is None:
        return _fresh(manifest, reqs, report)
    with paused_gc(len(base)):
        return _edit(manifest, reqs, base, report, options)
