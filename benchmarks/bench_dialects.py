"""Time translating 10,000 distinct constraints between dialects (goal: < 0.5 s; a benchmark, not a test).

Run: ``python benchmarks/bench_dialects.py [--runs N]``. Prints the cold time (first translation of each constraint:
wall and CPU time of the process, the latter less inflated on a loaded machine) and the warm time (the same
constraints again, served by the caches); with ``--runs N`` each run is a fresh interpreter and the minimum counts.
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


def measure() -> tuple[float, float, float]:
    """(cold wall, cold CPU, warm wall) seconds in this process."""
    items = constraints()
    translate(constraints(50)[-5:])  # import the dialects and packaging's lazy modules: not translation cost
    start, cpu = time.perf_counter(), time.process_time()
    translate(items)
    cold, cold_cpu = time.perf_counter() - start, time.process_time() - cpu
    start = time.perf_counter()
    translate(items)
    return cold, cold_cpu, time.perf_counter() - start


def main() -> None:
    import argparse
    import subprocess
    import sys

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="fresh processes to run; the minimum is reported")
    args = parser.parse_args()
    if args.runs <= 1:
        results = [measure()]
    else:  # each run in a fresh interpreter: a cold cache means a cold process
        code = "import bench_dialects as b; print(*b.measure())"
        results = []
        for _ in range(args.runs):
            out = subprocess.run(
                [sys.executable, "-c", code],
                cwd=str(__import__("pathlib").Path(__file__).parent),
                capture_output=True,
                text=True,
                check=True,
            )
            results.append(tuple(float(x) for x in out.stdout.split()))
    cold = min(r[0] for r in results)
    cold_cpu = min(r[1] for r in results)
    warm = min(r[2] for r in results)
    n = len(constraints())
    print(
        f"{n} distinct constraints, each parsed and rendered in two other dialects (min of {len(results)} runs)"
    )
    print(
        f"cold: {cold:.3f} s wall, {cold_cpu:.3f} s CPU ({cold_cpu / n * 1e6:.0f} us each); "
        f"warm (cached): {warm:.3f} s; goal < 0.5 s"
    )


if __name__ == "__main__":
    main()
