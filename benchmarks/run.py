#!/usr/bin/env python3
"""depglot side by side with the tools people would use instead, in one run on one machine.

    python benchmarks/run.py --setup     # once: build benchmarks/.venv-depglot and benchmarks/.venv-peers
    python benchmarks/run.py             # the full table (whole-process runs, min/median), JSON to results.json
    python benchmarks/run.py --quick     # CI report: start-up cases only, in the current interpreter

Whole-process timings run each command once untimed (warm-up: bytecode caches, file cache, and the success
check), then N times, and report min and median wall time. A run counts only when the command exits 0 (depglot:
0 or 1, losses at the threshold are still a conversion) and produced its output; a failing peer is shown as
"failed", never timed. Every tool gets the same properly named copy of the input (``Pipfile``,
``pyproject.toml``...), so no tool pays for guessing a format from a corpus file name.

Bytecode: the runs use ``PYTHONPYCACHEPREFIX`` (a directory of this run) and ignore ``PYTHONDONTWRITEBYTECODE``,
so depglot's editable install is not recompiled on every start, as no installed tool is.

Peers run in their own venv (installed from PyPI by --setup) so their dependencies don't touch depglot's. Clean
venvs also keep start-up honest: they process no site-wide .pth hooks. Nothing here is a test: it prints a report
and never fails on a slow number.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
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
    "hishel[httpx2]==1.4.0",  # pdm 2.29.4 breaks with hishel 2 (AttributeError: SyncSqliteStorage); its pin
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


ENV: dict[str, str] = {}  # filled by main(): the environment of every timed process


def bench_env(work: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    return env


def whole_process(
    cmd: list[str],
    runs: int,
    cwd: str | None = None,
    env: dict[str, str] | None = None,
    *,
    ok_codes: tuple[int, ...] = (0,),
    output: Path | None = None,
    expect_output: bool = True,
    stderr_output: bool = False,
) -> dict:
    """min/median wall time of ``cmd`` over ``runs`` runs after one untimed warm-up run.

    A run succeeds when it exits with one of ``ok_codes`` and wrote something (to stdout, or to ``output``;
    ``stderr_output``: also stderr, where migrate-to-uv --dry-run prints the migrated file).
    Any failed run makes the cell "failed" (its stderr tail kept), and a failed warm-up is not timed at all.
    """
    env = env if env is not None else (ENV or None)

    cpu: list[float] = []

    def once() -> tuple[float, subprocess.CompletedProcess[bytes], bool]:
        if output is not None and output.exists():
            output.unlink()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, check=False, capture_output=True, cwd=cwd, env=env)
        elapsed = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        if output is not None:
            wrote = output.exists() and output.stat().st_size > 0
        else:
            wrote = bool(proc.stdout.strip() or (stderr_output and proc.stderr.strip())) or not expect_output
        return elapsed, proc, proc.returncode in ok_codes and wrote

    _, proc, ok = once()
    if not ok:
        return {"ok": False, "returncode": proc.returncode, "stderr": _tail(proc)}
    cpu.clear()
    times = []
    for _ in range(runs):
        elapsed, proc, ok = once()
        if not ok:
            return {"ok": False, "returncode": proc.returncode, "stderr": _tail(proc)}
        times.append(elapsed)
    # CPU time (user + sys of the child) is far less inflated by a loaded machine than wall time
    return {"min_ms": round(min(times) * 1000, 1), "median_ms": round(statistics.median(times) * 1000, 1), "ok": True,
            "cpu_min_ms": round(min(cpu) * 1000, 1)}


def _tail(proc: subprocess.CompletedProcess[bytes]) -> str:
    text = (proc.stderr or proc.stdout or b"").decode(errors="replace").strip()
    return text[-300:]


def import_profile(python: Path, args: list[str], cwd: str | None = None) -> dict:
    """The modules a depglot command has imported when it exits (``sys.modules``, the bare interpreter's removed).

    Counts do not depend on machine load, so they compare runs taken under different conditions. (``-X
    importtime`` would miss modules loaded through ``importlib.import_module``, as the registry loads converters.)
    """
    def modules(argv: list[str] | None) -> set[str] | None:
        code = "import atexit, sys\natexit.register(lambda: sys.stderr.write('\\n@@' + ' '.join(sys.modules)))\n"
        if argv is not None:
            code += f"import runpy\nsys.argv = {['depglot', *argv]!r}\nrunpy.run_module('depglot', run_name='__main__')\n"
        proc = subprocess.run([str(python), "-c", code], check=False, capture_output=True, cwd=cwd,
                              env=ENV or None, text=True)
        tail = proc.stderr.rpartition("\n@@")[2] if "\n@@" in proc.stderr else None
        return set(tail.split()) if tail is not None else None

    mine, bare = modules(args), modules(None)
    if mine is None or bare is None:
        return {"modules": 0, "depglot_modules": []}
    extra = mine - bare
    return {"modules": len(mine), "added_modules": len(extra),
            "depglot_modules": sorted(n for n in extra if n.startswith("depglot")),
            "packaging_modules": sorted(n for n in extra if n.startswith("packaging"))}


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
    proc = subprocess.run([str(python), "-c", wrapper], check=False, capture_output=True, text=True, env=ENV or None)
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


def proper_name(path: Path) -> str:
    """The file name in its project (corpus files are saved as ``owner__repo__dir__Pipfile``)."""
    return path.name.rsplit("__", 1)[-1]


def project_copy(work: Path, label: str, src: Path, name: str | None = None) -> Path:
    """A fresh directory holding ``src`` under its real file name; returns the file's path."""
    proj = work / label
    if proj.exists():
        shutil.rmtree(proj)
    proj.mkdir(parents=True)
    dest = proj / (name or proper_name(src))
    shutil.copyfile(src, dest)
    return dest


def row(name: str, depglot: dict | None, peers: dict[str, dict], **extra: object) -> dict:
    return {"case": name, "depglot": depglot, "peers": peers, **extra}


def fmt(cell: dict | None) -> str:
    if cell is None:
        return "n/a"
    if "error" in cell:
        return "error"
    if not cell.get("ok", True):
        return f"failed (exit {cell.get('returncode')})"
    if "files_per_s" in cell:
        return f"{cell['files_per_s']:.0f} files/s"
    cpu = f" cpu {cell['cpu_min_ms']:.0f}" if "cpu_min_ms" in cell else ""
    return f"{cell['min_ms']:.0f}/{cell['median_ms']:.0f}ms{cpu}"


def ratio(peer: dict | None, depglot: dict | None) -> str:
    """How many times faster depglot is than the peer (> 1: depglot wins)."""
    if not peer or not depglot or not peer.get("ok", True) or not depglot.get("ok", True):
        return ""
    if "files_per_s" in peer and "files_per_s" in depglot and peer["files_per_s"]:
        return f" (depglot x{depglot['files_per_s'] / peer['files_per_s']:.2f})"
    if peer.get("min_ms") and depglot.get("min_ms"):
        return f" (depglot x{peer['min_ms'] / depglot['min_ms']:.2f})"
    return ""


def print_table(rows: list[dict]) -> None:
    print(f"{'case':<50} {'depglot min/med':>25}  peers (wall min/med, CPU min; depglot xN = N times faster, by wall)")
    for r in rows:
        d = r["depglot"]
        peers = [f"{pname} {fmt(cell)}{ratio(cell, d)}" for pname, cell in r["peers"].items()]
        note = f"  [{r['note']}]" if r.get("note") else ""
        print(f"{r['case']:<50} {fmt(d):>25}  {'; '.join(peers)}{note}")
        if d and not d.get("ok", True) and d.get("stderr"):
            print(f"{'':<50} depglot failed: {d['stderr'][-200:]}")
        for pname, cell in r["peers"].items():
            if cell and not cell.get("ok", True) and cell.get("stderr"):
                print(f"{'':<50} {pname} failed: {cell['stderr'][-200:]!r}")


# (name, corpus category, file-name filter, depglot flags, expected file name)
CASES = [
    ("Pipfile -> poetry", "pipfile", "psf__black__Pipfile", ["-t", "poetry"]),
    ("poetry -> pep621+uv", "poetry", "Textualize__rich__", ["-t", "uv"]),
    ("requirements -> pep621", None, "", ["-t", "pep621"]),
    ("Pipfile.lock -> hashed requirements", "pipfile_lock", "psf__requests__", ["-t", "requirements", "--all-groups"]),
    ("environment.yml -> requirements", "conda", "environment.yml", ["-t", "requirements"]),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--setup", action="store_true", help="create the benchmark venvs (needs PyPI)")
    parser.add_argument("--quick", action="store_true",
                        help="start-up and single-file cases only, 5 runs, no peers or corpus (CI report)")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes for the corpus case")
    parser.add_argument("--json", default=str(HERE / "results.json"))
    args = parser.parse_args()
    if args.setup:
        setup()
        return 0

    venv = bin_of(VENV_DEPGLOT, "python").exists()
    quick = args.quick
    runs = 5 if quick else args.runs
    py = bin_of(VENV_DEPGLOT, "python") if venv else Path(sys.executable)
    depglot = [str(bin_of(VENV_DEPGLOT, "depglot"))] if venv else [str(py), "-m", "depglot"]
    peers_py = bin_of(VENV_PEERS, "python")
    have_peers = not quick and peers_py.exists()
    rows: list[dict] = []
    work = Path(tempfile.mkdtemp(prefix="depglot-bench-"))
    ENV.update(bench_env(work))
    try:
        hello = work / "hello.py"
        hello.write_text(HELLO)
        floor = whole_process([str(py), "-c", "pass"], runs, expect_output=False)
        hello_slim = whole_process([str(py), str(hello)], runs)
        typer_py = bin_of(VENV_TYPER, "python")
        peers = {"typer 0.29 hello": whole_process([str(typer_py), str(hello)], runs)} if have_peers else {}
        rows.append(row("python -c pass (floor)", floor, {}))
        rows.append(row("typer-slim hello-world (depglot's typer)", hello_slim, peers))

        req30 = thirty_line_requirements(work)
        conv = whole_process([*depglot, "convert", "requirements.txt", "-t", "requirements"], runs, cwd=str(work))
        prof = import_profile(py, ["convert", "requirements.txt", "-t", "requirements"], cwd=str(work))
        rows.append(row("convert 30-line requirements -> requirements", conv, {}, imports=prof,
                        note=f"{prof['modules']} modules ({len(prof['depglot_modules'])} depglot)"))

        for name, category, contains, flags in CASES:
            src = req30 if category is None else corpus_file(category, contains) or corpus_file(category or "")
            if src is None:
                rows.append(row(name, None, {}, note="corpus file missing"))
                continue
            target = project_copy(work, "depglot-" + name.split()[0].lower(), src,
                                  "requirements.txt" if category is None else None)
            cmd = ["convert", target.name, *flags, "--fail-on", "never"]
            cell = whole_process([*depglot, *cmd], runs, cwd=str(target.parent), ok_codes=(0, 1))
            prof = import_profile(py, cmd, cwd=str(target.parent))
            peer_cells = peer_case(name, src if category is not None else req30, work, runs) if have_peers else {}
            rows.append(row(name, cell, peer_cells, source=src.name, imports=prof,
                            note=f"{prof['modules']} modules ({len(prof['depglot_modules'])} depglot)"))

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
        rows.append(row("read 5,000-line hashed requirements (in-process)", in_process(py, read_code, 5), peer_cells,
                        note="goal <= 100 ms, <= 60 MB RSS"))
        if not quick:
            rows.append(corpus_throughput(py, args.jobs))
            if have_peers:
                rows.append(corpus_vs_migrate_to_uv(py, work))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print_table(rows)
    if conv.get("ok") and hello_slim.get("ok"):
        print(f"\ndepglot convert over typer-slim hello-world: {conv['min_ms'] - hello_slim['min_ms']:+.1f} ms wall, "
              f"{conv['cpu_min_ms'] - hello_slim['cpu_min_ms']:+.1f} ms CPU (goal <= +30 ms)")
    for r in rows:
        # issue 12: faster than every *Python* peer (migrate-to-uv is a native binary, reported for scale)
        cells = [c for n, c in r["peers"].items() if c and c.get("ok") and "min_ms" in c and "native" not in n
                 and "files_per_s" not in c]
        d = r["depglot"]
        # the single-file CLI conversions (not the hello-world row, whose "peer" is typer 0.29, nor bulk rows)
        single_file = " -> " in r["case"] and not r["case"].startswith("corpus")
        if d and d.get("ok", True) and "min_ms" in d and cells and single_file:
            fastest_peer = min(c["min_ms"] for c in cells)
            verdict = "faster than every Python peer" if d["min_ms"] < fastest_peer else "NOT faster than every Python peer"
            print(f"{r['case']}: {verdict} ({d['min_ms']:.0f} ms vs {fastest_peer:.0f} ms)")
    Path(args.json).write_text(json.dumps({"version": 2, "quick": quick, "rows": rows}, indent=2) + "\n")
    return 0


def peer_case(name: str, src: Path, work: Path, runs: int) -> dict[str, dict]:
    """The same conversion by each peer that supports it, on a properly named copy in its own project."""
    out: dict[str, dict] = {}
    bin_dir = VENV_PEERS / "bin"
    label = "peer-" + name.split()[0].lower().replace(".", "")
    if name.startswith("Pipfile ->"):
        f = project_copy(work, label, src, "Pipfile")
        (f.parent / "pyproject.toml").write_text('[tool.poetry]\nname = "x"\nversion = "0.1.0"\n')
        out["pipenv-poetry-migrate"] = whole_process(
            [str(bin_dir / "pipenv-poetry-migrate"), "-f", "Pipfile", "-t", "pyproject.toml", "-n"], runs,
            cwd=str(f.parent),
        )
        f = project_copy(work, label + "-uv", src, "Pipfile")
        out["migrate-to-uv (native, to uv)"] = whole_process(
            [str(bin_dir / "migrate-to-uv"), "--dry-run", "--skip-lock", str(f.parent)], runs, stderr_output=True
        )
        f = project_copy(work, label + "-pdm", src, "Pipfile")
        out["pdm import (to pep621)"] = _pdm_import(bin_dir, f, "pipfile", max(3, runs // 3))
    elif name.startswith("poetry ->"):
        f = project_copy(work, label, src, "pyproject.toml")
        out["migrate-to-uv (native)"] = whole_process(
            [str(bin_dir / "migrate-to-uv"), "--dry-run", "--skip-lock", str(f.parent)], runs, stderr_output=True
        )
        f = project_copy(work, label + "-pdm", src, "pyproject.toml")
        out["pdm import"] = _pdm_import(bin_dir, f, "poetry", max(3, runs // 3))
    elif name.startswith("requirements ->"):
        f = project_copy(work, label, src, "requirements.txt")
        out["migrate-to-uv (native)"] = whole_process(
            [str(bin_dir / "migrate-to-uv"), "--dry-run", "--skip-lock", "--package-manager", "pip", str(f.parent)],
            runs, stderr_output=True,
        )
        f = project_copy(work, label + "-pdm", src, "requirements.txt")
        out["pdm import"] = _pdm_import(bin_dir, f, "requirements", max(3, runs // 3))
    elif name.startswith("Pipfile.lock"):
        f = project_copy(work, label, src, "Pipfile.lock")
        out["micropipenv"] = whole_process(
            [str(bin_dir / "micropipenv"), "requirements", "--method", "pipenv"], runs, cwd=str(f.parent)
        )
    return out


def _pdm_import(bin_dir: Path, src: Path, kind: str, runs: int) -> dict:
    """``pdm import -f KIND`` edits pyproject.toml in place: each run starts from the same file (a minimal
    ``[project]`` next to a requirements file or Pipfile; the Poetry file itself when importing Poetry)."""
    pyproject = src.parent / "pyproject.toml"
    base = pyproject.read_text() if kind == "poetry" else '[project]\nname = "x"\nversion = "0.1.0"\n'
    env = dict(ENV, PDM_CHECK_UPDATE="0", PDM_HOME=str(src.parent / ".pdm-home"))
    times = []
    for i in range(runs + 1):
        pyproject.write_text(base)
        t0 = time.perf_counter()
        proc = subprocess.run([str(bin_dir / "pdm"), "import", "-f", kind, str(src.name)],
                              check=False, capture_output=True, cwd=str(src.parent), env=env)
        elapsed = time.perf_counter() - t0
        if proc.returncode != 0 or pyproject.read_text() == base:
            return {"ok": False, "returncode": proc.returncode, "stderr": _tail(proc)}
        if i:
            times.append(elapsed)
    return {"min_ms": round(min(times) * 1000, 1), "median_ms": round(statistics.median(times) * 1000, 1), "ok": True}


# The format each corpus category is read as (pip_conf holds index configuration, not manifests).
CATEGORY_FORMAT = {
    "conda": "conda", "conda_export": "conda", "conda_lock": "conda-lock", "freeze": "requirements",
    "hashed_requirements": "requirements", "pdm_lock": "pdm-lock", "pdm_pyproject": "pep621+pdm",
    "pep621": "pep621", "pipfile": "pipfile", "pipfile_lock": "pipfile-lock", "poetry": "poetry",
    "poetry2": "poetry", "poetry_lock": "poetry-lock", "pylock": "pylock", "requirements": "requirements",
    "script": "script", "uv_lock": "uv-lock", "uv_pyproject": "pep621+uv",
}

_THROUGHPUT = r"""
import os, sys, time, json, pathlib
t_start = time.perf_counter()
import depglot
from depglot import registry
from depglot.api import Selection
from depglot.errors import DepglotError

corpus = pathlib.Path(sys.argv[1]); jobs = int(sys.argv[2]); only = sys.argv[3]; category_format = json.loads(sys.argv[4])
files = [(str(p), category_format[d.name]) for d in sorted(corpus.iterdir()) if d.name in category_format
         for p in sorted(d.iterdir()) if p.is_file()]
if only == "all":
    targets = [n for n in registry.names(include_plugins=False) if registry.format_class(n).can_write]
    targets += [f"{n}+{f}" for n in list(targets) for f in registry.format_class(n).flavours]
else:
    targets = [only]
everything = Selection(all_groups=True, all_extras=True)

def one(item):
    path, fmt = item
    ok = failed = 0
    try:
        text = pathlib.Path(path).read_bytes().decode("utf-8")
        m = depglot.loads(text, fmt, path=path)
    except (DepglotError, UnicodeDecodeError):
        return 0, len(targets), 1
    for t in targets:
        try:
            depglot.dumps(m, t, selection=everything); ok += 1
        except DepglotError:
            failed += 1
    return ok, failed, 0

t0 = time.perf_counter()
if jobs > 1:
    from concurrent.futures import ProcessPoolExecutor
    with ProcessPoolExecutor(jobs) as pool:
        results = list(pool.map(one, files, chunksize=4))
else:
    results = [one(f) for f in files]
t1 = time.perf_counter()
print(json.dumps({"files": len(files), "targets": len(targets), "conversions": sum(r[0] for r in results),
                  "write_errors": sum(r[1] for r in results), "read_errors": sum(r[2] for r in results),
                  "seconds": t1 - t0, "process_seconds": t1 - t_start}))
"""


def _throughput(py: Path, jobs: int, only: str, corpus: Path = CORPUS) -> dict:
    proc = subprocess.run([str(py), "-c", _THROUGHPUT, str(corpus), str(jobs), only, json.dumps(CATEGORY_FORMAT)],
                          check=False, capture_output=True, text=True, env=ENV or None)
    if proc.returncode != 0:
        return {"ok": False, "returncode": proc.returncode, "stderr": proc.stderr.strip()[-300:]}
    r = json.loads(proc.stdout.strip().splitlines()[-1])
    r.update(ok=True, min_ms=round(r["seconds"] * 1000, 1), median_ms=round(r["seconds"] * 1000, 1),
             conversions_per_s=round(r["conversions"] / r["seconds"], 1),
             files_per_s=round(r["files"] / r["process_seconds"], 1))
    return r


def corpus_throughput(py: Path, jobs: int) -> dict:
    """The whole corpus, each file read once and written to every target, in one depglot process."""
    if not CORPUS.is_dir():
        return row("corpus -> every target", None, {}, note="corpus missing")
    one = _throughput(py, 1, "all")
    many = _throughput(py, jobs, "all") if jobs > 1 else None
    best = many if many and many.get("ok") and many["conversions_per_s"] > one.get("conversions_per_s", 0) else one
    note = ""
    if one.get("ok"):
        note = (f"{one['files']} files x {one['targets']} targets: {one['conversions']} conversions, "
                f"{one['conversions_per_s']:.0f}/s with 1 process")
        if many and many.get("ok"):
            note += f", {many['conversions_per_s']:.0f}/s with --jobs {jobs}"
        note += f"; {one['write_errors']} refusals, {one['read_errors']} unreadable (goal >= 500/s)"
    cell = dict(best, files_per_s=best.get("conversions_per_s", 0)) if best.get("ok") else best
    return row("corpus -> every target (conversions/s)", cell, {}, note=note, one_process=one, jobs=many)


def corpus_vs_migrate_to_uv(py: Path, work: Path) -> dict:
    """Pipfile, Poetry and requirements projects of the corpus to uv: one depglot process (start-up included)
    against migrate-to-uv's native binary run once per project. Only files migrate-to-uv converts count for it."""
    categories = {"pipfile": "Pipfile", "poetry": "pyproject.toml", "poetry2": "pyproject.toml",
                  "requirements": "requirements.txt"}
    sub = work / "corpus-uv"
    bin_mtu = VENV_PEERS / "bin" / "migrate-to-uv"
    projects = []
    for category, name in categories.items():
        d = CORPUS / category
        if not d.is_dir():
            continue
        for p in sorted(d.iterdir()):
            if p.is_file():
                proj = sub / "projects" / f"{category}-{p.name}"
                proj.mkdir(parents=True)
                shutil.copyfile(p, proj / name)
                (sub / "flat" / category).mkdir(parents=True, exist_ok=True)
                shutil.copyfile(p, sub / "flat" / category / p.name)
                projects.append((category, proj))
    ok = failed = 0
    t0 = time.perf_counter()
    for category, proj in projects:
        cmd = [str(bin_mtu), "--dry-run", "--skip-lock", "--skip-uv-checks"]
        if category == "requirements":
            cmd += ["--package-manager", "pip"]
        proc = subprocess.run([*cmd, str(proj)], check=False, capture_output=True, env=ENV or None)
        if proc.returncode == 0 and b"Migrated pyproject.toml" in proc.stdout + proc.stderr:
            ok += 1
        else:
            failed += 1
    mtu_seconds = time.perf_counter() - t0
    t0 = time.perf_counter()
    mine = _throughput(py, 1, "pep621+uv", sub / "flat")
    wall = time.perf_counter() - t0
    if mine.get("ok"):
        mine = dict(mine, files_per_s=round(mine["files"] / wall, 1), min_ms=round(wall * 1000, 1),
                    median_ms=round(wall * 1000, 1))
    peer = {"ok": ok > 0, "files": ok, "failed": failed, "min_ms": round(mtu_seconds * 1000, 1),
            "files_per_s": round(ok / mtu_seconds, 1) if ok else 0}
    note = (f"{len(projects)} projects; migrate-to-uv converted {ok}, failed on {failed}; "
            f"depglot {mine.get('conversions', '?')} converted, whole process")
    return row("corpus projects -> uv (files/s, whole process)", mine, {"migrate-to-uv per project": peer}, note=note)


if __name__ == "__main__":
    raise SystemExit(main())
