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
        from depglot.edit.discover import discover
        from depglot.edit.runner import Codemod, run

        t0 = time.perf_counter()
        files = discover([str(root)], lazy=True)
        t1 = time.perf_counter()
        result = run(files, Codemod(kind="set", name=PACKAGE, spec=">=2"), jobs=args.jobs, root=str(root))
        t2 = time.perf_counter()
        print(f"in-process: discover {len(files)} files {t1 - t0:.2f} s, plan {t2 - t1:.2f} s "
              f"({len(files) / (t2 - t0):,.0f} files/s), {len(result.plan.changed)} would change, "
              f"{len(result.errors)} errors")
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
