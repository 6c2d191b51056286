"""Time translating 10,000 distinct constraints between dialects (goal: < 0.5 s; a benchmark, not a test).

Run: ``python benchmarks/bench_dialects.py``. Prints the cold time (first translation of each constraint) and the
warm time (the same constraints again, served by the caches).
"""

from __future__ import annotations

import time


def constraints(n: int = 10_000) -> list[tuple[str, str]]:
    """``n`` distinct (dialect, constraint) pairs: Poetry carets/tildes/unions, PEP 440 ranges, conda specs."""
    out: list[tuple[str, str]] = []
    i = 0
    while len(out) < n:
        a, b, c = i % 23, (i // 23) % 17, (i // 391) % 29
        kind = i % 5
        if kind == 0:
            out.append(("poetry", f"^{a}.{b}.{c}"))
        elif kind == 1:
            out.append(("poetry", f"~{a}.{b} || ^{a + 1}.{c}"))
        elif kind == 2:
            out.append(("pep440", f">={a}.{b},<{a + 1}.{c}"))
        elif kind == 3:
            out.append(("pep440", f"~={a}.{b}.{c}"))
        else:
            out.append(("conda", f">={a}.{b},<{a + 1}|{c}.{b}.*"))
        i += 1
    assert len(set(out)) == n, "constraints must be distinct"
    return out


def translate(items: list[tuple[str, str]]) -> int:
    from depglot.dialects import conda, pep440, poetry
    from depglot.report import Report

    report = Report()
    written = 0
    for dialect, text in items:
        if dialect == "poetry":
            spec = poetry.parse(text)
            written += len(pep440.render(spec, report=report)) + len(conda.render_version(spec))
        elif dialect == "pep440":
            spec = pep440.parse(text)
            written += len(poetry.render(spec, report=report)) + len(conda.render_version(spec))
        else:
            spec = conda.parse_version(text)
            written += len(pep440.render(spec, report=report)) + len(poetry.render(spec))
    return written


def main() -> None:
    items = constraints()
    translate(constraints(50)[-5:])  # import the dialects and packaging's lazy modules: not translation cost
    start = time.perf_counter()
    translate(items)
    cold = time.perf_counter() - start
    start = time.perf_counter()
    translate(items)
    warm = time.perf_counter() - start
    print(f"{len(items)} distinct constraints, each parsed and rendered in two other dialects")
    print(
        f"cold: {cold:.3f} s ({cold / len(items) * 1e6:.0f} us each); warm (cached): {warm:.3f} s; goal < 0.5 s"
    )


if __name__ == "__main__":
    main()
