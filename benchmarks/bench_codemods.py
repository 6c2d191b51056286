"""Benchmark: ``depglot set`` across 1,000 manifests of mixed formats (10% name the package), ``--jobs 2``.

The manifests are copies of the shared corpus (requirements, Pipfile, Poetry, PEP 621/uv/pdm, environment.yml),
one per directory; 10% get the package ``bench-pkg>=1.0`` added (by depglot itself, in base mode) during setup.
Then ``depglot set bench-pkg '>=2' DIR --jobs 2`` runs as a subprocess (start-up included) and the in-process
runner is timed too. Prints files/s. Target (issue 10): < 2 s on a 2-core machine. Not a test: timings vary.

    python benchmarks/bench_codemods.py [--files 1000] [--jobs 2] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
CATEGORIES = {
    "requirements": "requirements.txt",
    "pipfile": "Pipfile",
    "poetry": "pyproject.toml",
    "poetry2": "pyproject.toml",
    "pep621": "pyproject.toml",
    "uv_pyproject": "pyproject.toml",
    "pdm_pyproject": "pyproject.toml",
    "conda": "environment.yml",
}
PACKAGE = "bench-pkg"


def sources() -> list[tuple[Path, str]]:
    """Corpus files that depglot reads and writes back byte-identically in base mode."""
    from depglot import api
    from depglot.errors import DepglotError

    out = []
    for cat, filename in CATEGORIES.items():
        d = CORPUS / cat
        if not d.is_dir():
            continue
        for p in sorted(d.iterdir()):
            try:
                text, fmt = api.read_text(p) if False else (p.read_text(encoding="utf-8"), None)
                tmp_fmt = _format_for(filename, text)
                m = api.loads(text, tmp_fmt, path=filename)
                if api.dumps(m, tmp_fmt, base=text).text != text:
                    continue
            except (DepglotError, UnicodeDecodeError, ValueError):
                continue
            out.append((p, filename))
    return out


def _format_for(filename: str, text: str) -> str:
    from depglot import registry

    return registry.detect(filename, text[:8192]).full_name


def build(root: Path, n: int) -> int:
    from depglot.edit.discover import discover
    from depglot.edit.runner import Codemod, run

    pool = sources()
    if not pool:
        sys.exit(f"no corpus at {CORPUS}")
    for i in range(n):
        src, filename = pool[i % len(pool)]
        d = root / f"m{i:04d}"
        d.mkdir(parents=True)
        shutil.copyfile(src, d / filename)
    targets = [str(root / f"m{i:04d}") for i in range(0, n, 10)]  # 10% name the package
    result = run(discover(targets), Codemod(kind="add", requirement=f"{PACKAGE}>=1.0"), jobs=2, root=str(root))
    if result.errors:
        for e in result.errors:
            print("setup:", e.error, file=sys.stderr)
    result.plan.apply()
    return len(result.plan.changed)


def _cpu(who: int) -> float:
    import resource

    r = resource.getrusage(who)
    return r.ru_utime + r.ru_stime


def in_process(root: Path, jobs: int) -> None:
    """The runner without start-up: CPU per format (one process), then ``jobs`` workers with the CPU split into
    the parent's serial part and the workers' part. Timing under load inflates wall time, not CPU time; so the
    last line also gives the critical path on an idle machine (parent CPU + workers' CPU / jobs)."""
    import resource
    from collections import defaultdict

    import tomlkit.parser

    from depglot.edit.discover import discover
    from depglot.edit.runner import Codemod, _process, run

    codemod = Codemod(kind="set", name=PACKAGE, spec=">=2")
    c0 = _cpu(resource.RUSAGE_SELF)
    files = discover([str(root)], lazy=True)
    discover_cpu = _cpu(resource.RUSAGE_SELF) - c0
    per: dict[tuple[str, bool], list[float]] = defaultdict(lambda: [0, 0.0])
    parses = [0]
    real_parse = tomlkit.parser.Parser.parse

    def counted(self):  # type: ignore[no-untyped-def]
        parses[0] += 1
        return real_parse(self)

    tomlkit.parser.Parser.parse = counted  # type: ignore[method-assign]
    try:
        for found in files:  # one process: where the CPU goes (the first files also pay for imports)
            t = time.process_time()
            res = _process((found, codemod))
            per[(res.format or "(not parsed)", res.changed)][0] += 1
            per[(res.format or "(not parsed)", res.changed)][1] += time.process_time() - t
    finally:
        tomlkit.parser.Parser.parse = real_parse  # type: ignore[method-assign]
    total = sum(t for _, t in per.values())
    toml_changed = sum(n for (fmt, changed), (n, _) in per.items()
                       if changed and fmt not in ("requirements", "conda", "(not parsed)"))
    print(f"in-process, 1 process: discover {discover_cpu:.2f} s CPU; run {total:.2f} s CPU "
          f"({len(files) / total:,.0f} files/s of CPU); {parses[0]} tomlkit parses for {toml_changed} changed TOML files")
    for (fmt, changed), (n, t) in sorted(per.items(), key=lambda kv: -kv[1][1]):
        print(f"  {fmt:14s} {'changed' if changed else 'untouched':9s} {n:5d} files {t:6.2f} s "
              f"{1000 * t / n:7.1f} ms/file")
    p0, k0, t0 = _cpu(resource.RUSAGE_SELF), _cpu(resource.RUSAGE_CHILDREN), time.perf_counter()
    result = run(files, codemod, jobs=jobs, root=str(root))
    wall = time.perf_counter() - t0
    parent, workers = _cpu(resource.RUSAGE_SELF) - p0, _cpu(resource.RUSAGE_CHILDREN) - k0
    path = discover_cpu + parent + workers / max(jobs, 1)
    print(f"in-process, --jobs {jobs}: {wall:.2f} s wall (load {os.getloadavg()[0]:.1f}); CPU: parent {parent:.2f} s, "
          f"workers {workers:.2f} s; critical path with discovery {path:.2f} s "
          f"({len(files) / path:,.0f} files/s); {len(result.plan.changed)} would change, {len(result.errors)} errors")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--keep", help="build the tree here and keep it")
    args = ap.parse_args()
    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="depglot-bench-"))
    try:
        if not root.exists() or not any(root.iterdir()):
            root.mkdir(parents=True, exist_ok=True)
            named = build(root, args.files)
            print(f"built {args.files} manifests under {root}; {named} name {PACKAGE}")
        # the CLI, start-up included, on a fresh copy each time (the first run changes files)
        for label, extra in (("--check", ["--check"]), ("apply", [])):
            work = Path(tempfile.mkdtemp(prefix="depglot-bench-run-"))
            shutil.copytree(root, work / "t")
            os.sync()  # else the run's first fsync also flushes the whole fresh copy
            import resource

            r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            proc = subprocess.run(
                [sys.executable, "-m", "depglot", "set", PACKAGE, ">=2", str(work / "t"), "--jobs", str(args.jobs),
                 *extra],
                capture_output=True, text=True,
            )
            dt = time.perf_counter() - t0
            r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
            load = os.getloadavg()[0]
            print(f"depglot set {label:8s} --jobs {args.jobs}: {args.files} files in {dt:.2f} s wall "
                  f"({args.files / dt:,.0f} files/s), {cpu:.2f} s CPU over all processes (load {load:.1f}), "
                  f"exit {proc.returncode}; {proc.stderr.strip().splitlines()[-1:]}")
            shutil.rmtree(work)
        in_process(root, args.jobs)
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
