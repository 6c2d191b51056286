"""Poetry version constraints: parse them exactly (as poetry-core means them) and render any set the Poetry way.

Grammar (poetry-core 2.5 ``constraints/version/parser.py``): ``||`` or ``|`` separate alternatives (OR); inside one,
a comma or a space separates clauses (AND; a space may follow an operator: ``>= 1.2, < 2.0``); a trailing comma is
tolerated. Clauses:

========================  ===================================================================================
``*`` ``x`` ``X`` ``*.*``  any version (``v*`` too); ``1.2.x`` is an error (``x`` only as the whole clause)
``^V``                     ``>=V,<B`` where B bumps the left-most non-zero of major/minor/patch of V's release,
                           keeping V's number of components (``^1.2.3.4`` -> ``<2.0.0.0``, ``^0.0`` -> ``<0.1``,
                           ``^0`` -> ``<1``); pre/post releases keep their lower bound (``^1.0.0a1``)
``~V``                     ``>=V,<B`` bumping the minor (the major when V has one component):
                           ``~1.2.3.4`` -> ``<1.3.0.0`` (not ``~=``)
``~=V``                    PEP 440 compatible release; Poetry also takes ``~=1`` (``>=1,<2``)
``V.*`` ``==V.*`` ``!=V.*`` wildcards (``1.2.*`` is ``[1.2.dev0, 1.3.dev0)``, as PEP 440 ``==1.2.*``)
``V`` ``=V`` ``==V``       exact pin (``==V``); a leading ``v`` is dropped everywhere
``<`` ``<=`` ``>`` ``>=``  as PEP 440 (``<V`` excludes V's pre-releases, ``>V`` its post releases)
``!=V``                    as PEP 440
========================  ===================================================================================

``>=1.2.*`` is accepted the way Poetry accepts it (``>=1.2``). ``<>`` (which poetry-core silently reads as ``==``)
and the empty string are errors. poetry-core has a bug with ``!=V`` inside a conjunction (``>=1.0,!=1.5`` rejects
``1.5.post1``); depglot gives such constraints their PEP 440 meaning, which is what the user wrote.
"""

from __future__ import annotations

from typing import Any

from .spelling import DIALECT, nicest, render

__all__ = [
    "DIALECT",
    "caret_upper",
    "nicest",
    "parse",
    "python_constraint",
    "render",
    "tilde_upper",
    "to_pep440_clauses",
]

_GRAMMAR = frozenset({"caret_upper", "parse", "python_constraint", "tilde_upper", "to_pep440_clauses"})


def __getattr__(name: str) -> Any:
    """The parser loads on first use: a conversion that only writes Poetry needs none of it."""
    if name in _GRAMMAR:
        from . import grammar

        return getattr(grammar, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
