"""pip's requirements-file options: the table pip 26 accepts, and an optparse-compatible tokenizer.

pip splits a logical line at the first space-separated token that starts with ``-``: everything before is the
requirement, everything after is shell-split and parsed by optparse with the options of
``pip._internal.req.req_file.SUPPORTED_OPTIONS`` + ``SUPPORTED_OPTIONS_REQ``. This module mirrors that parse
(long-option abbreviations, ``--opt=value``, ``-Xvalue``, value checks) without importing pip, and keeps each
option's text and column so errors can point at it.
"""

from __future__ import annotations

import shlex
from typing import NamedTuple

__all__ = [
    "EDITABLE_OPTIONS",
    "LEGACY_OPTIONS",
    "OPTIONS",
    "REQUIREMENT_OPTIONS",
    "OptionError",
    "OptionSpec",
    "Token",
    "break_args_options",
    "parse_options",
]


class OptionSpec(NamedTuple):  # NamedTuples here: ~5x cheaper than dataclasses to define at start-up
    name: str  # canonical long name without dashes ("index-url")
    short: str | None = None  # "-i"
    takes_value: bool = True
    aliases: tuple[str, ...] = ()  # other long spellings ("--pypi-url")
    choices: tuple[str, ...] = ()


# pip 26.3 SUPPORTED_OPTIONS (file-wide) and SUPPORTED_OPTIONS_REQ (per requirement), in pip's order.
_FILE_OPTIONS = (
    OptionSpec("index-url", "-i", aliases=("--pypi-url",)),
    OptionSpec("extra-index-url"),
    OptionSpec("no-index", takes_value=False),
    OptionSpec("constraint", "-c"),
    OptionSpec("requirement", "-r"),
    OptionSpec("editable", "-e"),
    OptionSpec("find-links", "-f"),
    OptionSpec("no-binary"),
    OptionSpec("only-binary"),
    OptionSpec("prefer-binary", takes_value=False),
    OptionSpec("require-hashes", takes_value=False),
    OptionSpec("no-require-hashes", takes_value=False),
    OptionSpec("pre", takes_value=False),
    OptionSpec("all-releases"),
    OptionSpec("only-final"),
    OptionSpec("trusted-host"),
    OptionSpec(
        "use-feature",
        choices=(
            "fast-deps",
            "inprocess-build-deps",
            "venv-isolation",
            "truststore",
            "no-binary-enable-wheel-cache",
            "build-constraint",
        ),
    ),
)
_REQ_OPTIONS = (
    OptionSpec("hash"),
    OptionSpec("config-settings", "-C"),
)

OPTIONS: dict[str, OptionSpec] = {o.name: o for o in (*_FILE_OPTIONS, *_REQ_OPTIONS)}
REQUIREMENT_OPTIONS = frozenset({"hash", "config-settings"})  # pip applies these to the line's requirement
EDITABLE_OPTIONS = frozenset({"config-settings"})  # ... and only these to an editable one
# Removed from pip (25.3) but common in older files: pip rejects them now, and so does depglot (with a hint).
LEGACY_OPTIONS = {
    "--global-option": "pip 25.3 removed --global-option; use --config-settings",
    "--install-option": "pip 23.1 removed --install-option; use --config-settings",
    "--build-option": "--build-option is not accepted in requirements files; use --config-settings",
}
STRONG_HASHES = ("sha256", "sha384", "sha512")

_LONG: dict[str, OptionSpec] = {}
for _o in OPTIONS.values():
    _LONG["--" + _o.name] = _o
    for _a in _o.aliases:
        _LONG[_a] = _o
_SHORT: dict[str, OptionSpec] = {o.short: o for o in OPTIONS.values() if o.short}


class Token(NamedTuple):
    """One option occurrence: canonical name, value (None for flags), the text as written, its column."""

    name: str
    value: str | None
    text: str
    offset: int  # 0-based offset in the logical line (best effort when quoting was involved)


class OptionError(Exception):
    def __init__(self, message: str, offset: int, width: int = 1, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset
        self.width = width
        self.hint = hint


def break_args_options(line: str) -> tuple[str, str, int]:
    """pip's split: (args, options text, offset of the options text in ``line``)."""
    if " -" not in line and not line.startswith("-"):
        return line, "", len(line)  # no space-separated word starts with "-": the common requirement line
    tokens = line.split(" ")
    pos = 0
    for i, token in enumerate(tokens):
        if token.startswith("-"):
            return " ".join(tokens[:i]), " ".join(tokens[i:]), pos
        pos += len(token) + 1
    return line, "", len(line)


def _words(text: str, base: int) -> list[tuple[str, int]]:
    """Shell words with their offsets (exact for unquoted text, nearest match otherwise)."""
    if not any(c in text for c in "'\"\\"):
        out = []
        pos = 0
        for word in text.split():
            pos = text.index(word, pos)
            out.append((word, base + pos))
            pos += len(word)
        return out
    try:
        words = shlex.split(text)
    except ValueError as exc:
        raise OptionError(f"could not split options: {exc}", base, max(1, len(text.rstrip()))) from None
    out = []
    pos = 0
    for word in words:
        found = text.find(word, pos)
        if found >= 0:
            pos = found + len(word)
            out.append((word, base + found))
        else:
            out.append((word, base + pos))
    return out


def _match_long(opt: str, offset: int) -> OptionSpec:
    spec = _LONG.get(opt)
    if spec is not None:
        return spec
    if opt in LEGACY_OPTIONS:
        raise OptionError(f"no such option: {opt}", offset, len(opt), hint=LEGACY_OPTIONS[opt])
    matches = sorted({s.name for long, s in _LONG.items() if long.startswith(opt)})
    if len(matches) == 1:
        return OPTIONS[matches[0]]
    if len(matches) > 1:
        names = ", ".join("--" + m for m in matches)
        raise OptionError(f"ambiguous option: {opt} ({names}?)", offset, len(opt))
    raise OptionError(f"no such option: {opt}", offset, len(opt))


def _check_value(spec: OptionSpec, opt: str, value: str, offset: int) -> None:
    if spec.choices and value not in spec.choices:
        allowed = ", ".join(repr(c) for c in spec.choices)
        raise OptionError(
            f"option {opt}: invalid choice: {value!r} (choose from {allowed})", offset, len(value)
        )
    if spec.name == "hash":
        algo, sep, _ = value.partition(":")
        if not sep:
            raise OptionError(
                f"arguments to {opt} must be a hash name followed by a value, like --hash=sha256:abcde...",
                offset,
                len(value),
            )
        if algo not in STRONG_HASHES:
            raise OptionError(
                f"allowed hash algorithms for {opt} are {', '.join(STRONG_HASHES)}", offset, len(algo)
            )
    elif spec.name == "config-settings":
        if "=" not in value:
            raise OptionError(f"arguments to {opt} must be of the form KEY=VAL", offset, len(value))
    elif spec.name in ("no-binary", "only-binary", "all-releases", "only-final") and value.startswith("-"):
        raise OptionError(f"--{spec.name} option requires 1 argument", offset, len(value))


def parse_options(text: str, base: int = 0) -> tuple[list[Token], list[tuple[str, int]]]:
    """Parse the options part of a line like pip's optparse: (options, ignored positional words).

    Raises :class:`OptionError` for what pip rejects: unknown or ambiguous options, a missing value, a value
    given to a flag, an invalid ``--use-feature`` choice, a malformed ``--hash`` or ``--config-settings``.
    """
    words = _words(text, base)
    tokens: list[Token] = []
    extra: list[tuple[str, int]] = []
    i = 0
    while i < len(words):
        word, offset = words[i]
        i += 1
        if word == "--":
            extra.extend(words[i:])
            break
        if word.startswith("--"):
            opt, eq, attached = word.partition("=")
            spec = _match_long(opt, offset)
            if not spec.takes_value:
                if eq:
                    raise OptionError(f"--{spec.name} option does not take a value", offset, len(word))
                tokens.append(Token(spec.name, None, word, offset))
                continue
            if eq:
                value, value_offset = attached, offset + len(opt) + 1
                written = word
            else:
                if i >= len(words):
                    raise OptionError(f"{opt} option requires 1 argument", offset, len(word))
                value, value_offset = words[i]
                i += 1
                written = f"{word} {value}"
            _check_value(spec, opt, value, value_offset)
            tokens.append(Token(spec.name, value, written, offset))
        elif word.startswith("-") and len(word) > 1:
            opt = word[:2]
            short = _SHORT.get(opt)
            if short is None:
                raise OptionError(f"no such option: {opt}", offset, 2)
            spec = short
            if len(word) > 2:
                value, value_offset, written = word[2:], offset + 2, word
            else:
                if i >= len(words):
                    raise OptionError(f"{opt} option requires 1 argument", offset, 2)
                value, value_offset = words[i]
                i += 1
                written = f"{word} {value}"
            _check_value(spec, opt, value, value_offset)
            tokens.append(Token(spec.name, value, written, offset))
        else:
            extra.append((word, offset))
    return tokens, extra
