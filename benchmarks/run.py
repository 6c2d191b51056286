#!/usr/bin/env python3
"""depglot side by side with the tools people would use instead, in one run on one machine.

    python benchmarks/run.py --setup     # once: build benchmarks/.venv-depglot and benchmarks/.venv-peers
    python benchmarks/run.py             # the full table (whole-process runs, min/median), JSON to results.json
    python benchmarks/run.py --quick     # CI report: start-up cases only, in the current interpreter

Whole-process timings run each command N times and report min and median wall time. Peers run in their own venv
(installed from PyPI by --setup) so their dependencies don't touch depglot's. Clean venvs also keep start-up
honest: they process no site-wide .pth hooks. Nothing here is a test: it prints a report and never fails on a
slow number.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CORPUS = ROOT.parent / "shared" / "corpus"
VENV_DEPGLOT = HERE / ".venv-depglot"
VENV_PEERS = HERE / ".venv-peers"
PEERS = [
    "migrate-to-uv==0.12.0",
    "pipenv-poetry-migrate==0.8.0",
    "pdm==2.29.4",
    "micropipenv==1.10.0",
    "requirements-parser==0.13.1",
    "pip==26.3",
    "poetry-core==2.5.0",
    "plette==2.4.0",
]
VENV_TYPER = HERE / ".venv-typer"  # typer 0.29 alone (pipenv-poetry-migrate pins an older typer)


def bin_of(venv: Path, name: str) -> Path:
    return venv / "bin" / name


def setup() -> None:
    for venv in (VENV_DEPGLOT, VENV_PEERS, VENV_TYPER):
        if not venv.exists():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(bin_of(VENV_DEPGLOT, "pip")), "install", "-q", "-e", str(ROOT)], check=True)
    subprocess.run([str(bin_of(VENV_PEERS, "pip")), "install", "-q", *PEERS], check=True)
    subprocess.run([str(bin_of(VENV_TYPER, "pip")), "install", "-q", "typer==0.29.2"], check=True)


def whole_process(cmd: list[str], runs: int, cwd: str | None = None, env: dict[str, str] | None = None) -> dict:
    times = []
    ok = True
    last = None
    for _ in range(runs):
        t0 = time.perf_counter()
        last = subprocess.run(cmd, capture_output=True, cwd=cwd, env=env)
        times.append(time.perf_counter() - t0)
        ok = ok and last.returncode in (0, 1)  # 1 = losses reported at the threshold: still a conversion
    return {
        "min_ms": round(min(times) * 1000, 1),
        "median_ms": round(statistics.median(times) * 1000, 1),
        "ok": ok,
        "stderr": (last.stderr.decode(errors="replace")[-300:] if last is not None and not ok else ""),
    }


def in_process(python: Path, code: str, runs: int) -> dict:
    """Run ``code`` (which must print one float: seconds for one iteration) ``runs`` times in one process."""
    wrapper = (
        "import json, statistics, time, resource\n"
        "ts = []\n"
        f"for _ in range({runs}):\n"
        + textwrap.indent(code, "    ")
        + "\n    ts.append(_elapsed)\n"
        "print(json.dumps({'min_ms': round(min(ts)*1000, 1), 'median_ms': round(statistics.median(ts)*1000, 1),\n"
        "                  'maxrss_mb': round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}))\n"
    )
    proc = subprocess.run([str(python), "-c", wrapper], capture_output=True, text=True)
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "failed"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


HELLO = """
import typer
app = typer.Typer()
@app.command()
def main(name: str = "x"):
    print("hi", name)
app()
"""


def thirty_line_requirements(directory: Path) -> Path:
    lines = ["# thirty requirements", "--index-url https://pypi.org/simple"]
    for i in range(28):
        lines.append(f"package-{i}[extra]>=1.{i},<2 ; python_version >= \"3.9\"  # why {i}")
    path = directory / "requirements.txt"
    path.write_text("\n".join(lines) + "\n")
    return path


def hashed_requirements(directory: Path, lines: int = 5000) -> Path:
    out = []
    for i in range(lines // 3):
        out.append(f"package-{i}==1.{i % 50}.{i % 7} \\")
        out.append(f"    --hash=sha256:{i:064x} \\")
        out.append(f"    --hash=sha256:{i + 1:064x}")
    path = directory / "requirements-hashed.txt"
    path.write_text("\n".join(out) + "\n")
    return path


def corpus_file(category: str, contains: str = "") -> Path | None:
    d = CORPUS / category
    if not d.is_dir():
        return None
    files = sorted(p for p in d.iterdir() if p.is_file() and contains in p.name)
    return files[0] if files else None


def row(name: str, depglot: dict | None, peers: dict[str, dict]) -> dict:
    return {"case": name, "depglot": depglot, "peers": peers}


def fmt(cell: dict | None) -> str:
    if cell is None:
        return "n/a"
    if "error" in cell:
        return "error"
    if not cell.get("ok", True):
        return f"{cell['min_ms']:.0f}ms (failed)"
    return f"{cell['min_ms']:.0f}/{cell['median_ms']:.0f}ms"


def print_table(rows: list[dict]) -> None:
    print(f"{'case':<46} {'depglot min/med':>18}  peers (min/med, ratio peer/depglot)")
    for r in rows:
        d = r["depglot"]
        peers = []
        for pname, cell in r["peers"].items():
            ratio = ""
            if d and cell and "min_ms" in cell and "min_ms" in d and d["min_ms"] and cell.get("ok", True):
                ratio = f" x{cell['min_ms'] / d['min_ms']:.2f}"
            peers.append(f"{pname} {fmt(cell)}{ratio}")
        print(f"{r['case']:<46} {fmt(d):>18}  {'; '.join(peers)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--setup", action="store_true", help="create the benchmark venvs (needs PyPI)")
    parser.add_argument("--quick", action="store_true", help="start-up cases only, current interpreter (CI)")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--json", default=str(HERE / "results.json"))
    args = parser.parse_args()
    if args.setup:
        setup()
        return 0

    quick = args.quick or not bin_of(VENV_DEPGLOT, "python").exists()
    runs = 5 if args.quick else args.runs
    py = Path(sys.executable) if quick else bin_of(VENV_DEPGLOT, "python")
    depglot = [str(py), "-m", "depglot"] if quick else [str(bin_of(VENV_DEPGLOT, "depglot"))]
    peers_py = bin_of(VENV_PEERS, "python")
    have_peers = not quick and peers_py.exists()
    rows: list[dict] = []
    work = Path(tempfile.mkdtemp(prefix="depglot-bench-"))
    try:
        hello = work / "hello.py"
        hello.write_text(HELLO)
        floor = whole_process([str(py), "-c", "pass"], runs)
        hello_slim = whole_process([str(py), str(hello)], runs)
        typer_py = bin_of(VENV_TYPER, "python")
        peers = {"typer 0.29 hello": whole_process([str(typer_py), str(hello)], runs)} if have_peers else {}
        rows.append(row("python -c pass (floor)", floor, {}))
        rows.append(row("typer-slim hello-world (depglot's typer)", hello_slim, peers))

        req30 = thirty_line_requirements(work)
        conv = whole_process([*depglot, "convert", str(req30), "-t", "requirements"], runs)
        rows.append(row("convert 30-line requirements -> requirements", conv, {}))
        if conv.get("ok"):
            print(f"depglot over typer-slim hello-world: {conv['min_ms'] - hello_slim['min_ms']:+.1f} ms (goal <= 30)")

        cases = [
            ("Pipfile -> poetry", corpus_file("pipfile", "psf__black"), ["-t", "poetry"]),
            ("poetry -> pep621+uv", corpus_file("poetry"), ["-t", "uv"]),
            ("requirements -> pep621", req30, ["-f", "requirements", "-t", "pep621"]),
            ("Pipfile.lock -> hashed requirements", corpus_file("pipfile_lock"), ["-t", "requirements",
                                                                                   "--all-groups"]),
            ("environment.yml -> requirements", corpus_file("conda"), ["-t", "requirements"]),
        ]
        for name, src, flags in cases:
            if src is None:
                rows.append(row(name, None, {}))
                continue
            cell = whole_process([*depglot, "convert", str(src), *flags, "--fail-on", "never"], runs)
            peer_cells: dict[str, dict] = {}
            if have_peers:
                peer_cells = peer_case(name, src, work, runs)
            rows.append(row(name, cell, peer_cells))

        big = hashed_requirements(work)
        read_code = (
            "import depglot\n"
            "_t = time.perf_counter(); depglot.load(%r, 'requirements'); _elapsed = time.perf_counter() - _t" % str(big)
        )
        peer_cells = {}
        if have_peers:
            peer_cells["pip parser"] = in_process(
                peers_py,
                "from pip._internal.req.req_file import parse_requirements\n"
                "from pip._internal.network.session import PipSession\n"
                "_t = time.perf_counter(); list(parse_requirements(%r, session=PipSession()))\n"
                "_elapsed = time.perf_counter() - _t" % str(big),
                3,
            )
            peer_cells["requirements-parser"] = in_process(
                peers_py,
                "import requirements\n"
                "_t = time.perf_counter(); list(requirements.parse(open(%r).read()))\n"
                "_elapsed = time.perf_counter() - _t" % str(big),
                3,
            )
        rows.append(row("read 5,000-line hashed requirements (in-process)", in_process(py, read_code, 5), peer_cells))
        if not args.quick:
            rows.append(row("corpus -> every target (files/s)", corpus_throughput(py), {}))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print_table(rows)
    Path(args.json).write_text(json.dumps({"version": 1, "quick": quick, "rows": rows}, indent=2) + "\n")
    return 0


def peer_case(name: str, src: Path, work: Path, runs: int) -> dict[str, dict]:
    """The same conversion by each peer that supports it, on a copy of the project directory."""
    out: dict[str, dict] = {}
    proj = work / ("peer-" + name.split()[0].lower().replace(".", ""))
    if proj.exists():
        shutil.rmtree(proj)
    proj.mkdir()
    bin_dir = VENV_PEERS / "bin"
    if name.startswith("Pipfile ->"):
        shutil.copy(src, proj / "Pipfile")
        (proj / "pyproject.toml").write_text('[tool.poetry]\nname = "x"\nversion = "0.1.0"\n')
        out["pipenv-poetry-migrate"] = whole_process(
            [str(bin_dir / "pipenv-poetry-migrate"), "-f", "Pipfile", "-t", "pyproject.toml", "-n"], runs, cwd=str(proj)
        )
        out["migrate-to-uv"] = whole_process(
            [str(bin_dir / "migrate-to-uv"), "--dry-run", "--skip-lock", str(proj)], runs
        )
    elif name.startswith("poetry ->"):
        shutil.copy(src, proj / "pyproject.toml")
        out["migrate-to-uv"] = whole_process(
            [str(bin_dir / "migrate-to-uv"), "--dry-run", "--skip-lock", str(proj)], runs
        )
    elif name.startswith("requirements ->"):
        shutil.copy(src, proj / "requirements.txt")
        out["migrate-to-uv"] = whole_process(
            [str(bin_dir / "migrate-to-uv"), "--dry-run", "--skip-lock", "--package-manager", "pip", str(proj)], runs
        )
        (proj / "pyproject.toml").write_text('[project]\nname = "x"\nversion = "0.1.0"\n')
        env = dict(os.environ, PDM_CHECK_UPDATE="0", PDM_HOME=str(proj / ".pdm-home"))
        out["pdm import"] = whole_process(
            [str(bin_dir / "pdm"), "import", "-f", "requirements", "--dev", "-G", "x", "requirements.txt"],
            max(3, runs // 3), cwd=str(proj), env=env,
        )
    elif name.startswith("Pipfile.lock"):
        shutil.copy(src, proj / "Pipfile.lock")
        out["micropipenv"] = whole_process(
            [str(bin_dir / "micropipenv"), "requirements", "--method", "pipenv"], runs, cwd=str(proj)
        )
    return out


def corpus_throughput(py: Path) -> dict:
    code = textwrap.dedent(
        f"""
        import time, pathlib, depglot
        from depglot import registry
        from depglot.errors import DepglotError
        files = [p for d in sorted(pathlib.Path({str(CORPUS)!r}).iterdir()) if d.is_dir()
                 for p in sorted(d.iterdir()) if p.is_file()]
        targets = [n for n in registry.names() if registry.format_class(n).can_write]
        t0 = time.perf_counter(); n = 0; errors = 0
        for p in files:
            try:
                m = depglot.load(p)
            except DepglotError:
                errors += 1
                continue
            for t in targets:
                try:
                    depglot.dumps(m, t); n += 1
                except DepglotError:
                    errors += 1
        dt = time.perf_counter() - t0
        print(f"{{n}} {{dt}} {{len(files)}} {{errors}}")
        """
    )
    proc = subprocess.run([str(py), "-c", code], capture_output=True, text=True)
    if proc.returncode != 0:
        return {"error": (proc.stderr.strip().splitlines() or ["failed"])[-1]}
    n, dt, files, errors = proc.stdout.split()
    seconds = float(dt)
    return {"min_ms": round(seconds * 1000, 1), "median_ms": round(seconds * 1000, 1), "conversions": int(n),
            "files": int(files), "errors": int(errors), "conversions_per_s": round(int(n) / seconds, 1)}


if __name__ == "__main__":
    raise SystemExit(main())
