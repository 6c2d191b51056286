"""Credential redaction for everything a person sees (messages, reports, logs).

Written files keep URLs exactly as given; only what depglot *says* about them is redacted.
``https://user:token@host/simple`` becomes ``https://user:***@host/simple``; a lone token
(``https://token@host``) becomes ``https://***@host``. ``${ENV}`` references are not secrets and stay.
"""

from __future__ import annotations

import re

__all__ = ["redact"]

# The scheme is bounded (RFC 3986 schemes are short): an unbounded run made matching quadratic on long lines.
# Compiled on first use (re's cache), not at import: most runs never show a URL with an "@".
_USERINFO = r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]{0,31}://)(?P<userinfo>[^@/\s'\"]+)@"


def _sub(match: re.Match[str]) -> str:
    userinfo = match["userinfo"]
    user, sep, secret = userinfo.partition(":")
    if sep:
        if secret.startswith("${") and secret.endswith("}"):
            return match.group(0)
        return f"{match['scheme']}{user}:***@"
    if user.startswith("${") and user.endswith("}"):
        return match.group(0)
    return f"{match['scheme']}***@"


def redact(text: str) -> str:
    """Hide passwords and tokens embedded in URLs inside ``text``."""
    if "@" not in text:
        return text
    return re.sub(_USERINFO, _sub, text)
