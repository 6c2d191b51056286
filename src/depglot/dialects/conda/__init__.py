"""conda MatchSpecs (environment.yml forms) and conda version specs, mapped to PEP 440 sets and back.

MatchSpec (CEP 29): ``[channel[/subdir]::]name[ version[ build]]`` or ``name=version[=build]``, plus ``[key=value,
...]`` brackets that override the positional parts. The two-token trap: ``numpy=1.23`` is *fuzzy* (``==1.23.*``)
while ``numpy 1.23`` and ``numpy==1.23`` are *exact*; with a build (``numpy=1.23=py39_0``) the version is exact.
In an OR after ``=`` only the first alternative is fuzzy (``numpy=1.23|1.25`` is ``1.23.*|==1.25``).

Version specs: ``|`` is OR, ``,`` is AND and binds tighter, parentheses group; atoms are ``*``, ``1.2.*``/``1.2*``
(prefix), ``=1.2`` (prefix), ``==``, ``!=`` (exact, or prefix with ``.*``), ``<``, ``<=``, ``>``, ``>=``, ``~=``.

Meaning in PEP 440 terms (conda orders dev/pre/local versions differently; see docs/specifiers.md):

============  =====================  ==================================================================
conda          PEP 440 set            why
============  =====================  ==================================================================
``<2``         ``<=2,!=2``            conda ``<2`` admits 2.0rc1 and 2.0.dev0; PEP 440 ``<2`` does not
``<2.0a0``     ``<2.0``               the conda idiom for "below 2.0, no 2.0 pre-releases"
``>2``         ``>=2,!=2``            conda ``>2`` admits 2.post1; PEP 440 ``>2`` does not
``1.2.*``      ``==1.2.*``
``=1.2``       ``==1.2.*``
``1.2``        ``==1.2``              exact in a bare spec / after a space; fuzzy after ``=``
============  =====================  ==================================================================

These are exact on final, post and epoch releases and on pre/dev releases spelled with the same number of
components; local versions (``+x``, which conda sorts *below* the release) differ everywhere and are left to the
documentation. A bound that is itself a pre/dev release is ordered differently by conda and is reported as
``conda-ordering-differs``. Versions that are not PEP 440 (``1.1.1k``) have no PEP 440 meaning
(``version-inexpressible`` when written outside conda).
"""

from __future__ import annotations

from typing import Any

from .matchspec import SUBDIRS, MatchSpec, channel_name, parse_matchspec, render_matchspec
from .versions import DIALECT, dialect_losses, parse_version, to_pep440_version

__all__ = [
    "DIALECT",
    "SUBDIRS",
    "MatchSpec",
    "channel_name",
    "dialect_losses",
    "parse_matchspec",
    "parse_version",
    "render_matchspec",
    "render_version",
    "to_pep440_version",
]


def __getattr__(name: str) -> Any:
    """``render_version`` loads on first use: reading conda specs (or writing them as PEP 440) needs none of it."""
    if name == "render_version":
        from .render import render_version

        return render_version
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
