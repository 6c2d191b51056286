"""Every loss code used in src/ is documented in docs/losses.md, and every documented code is used."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "depglot"
CODE = r"[a-z][a-z0-9]*(?:-[a-z0-9]+)+"
# report.add("code", ...), Loss(code="code"), FeatureLoss("code", ...), and code="..." keyword arguments
USES = [
    re.compile(rf"\.add\(\s*[\"']({CODE})[\"']"),
    re.compile(rf"\bcode\s*=\s*[\"']({CODE})[\"']"),
    re.compile(rf"FeatureLoss\(\s*[\"']({CODE})[\"']"),
    re.compile(rf"#\s*loss-code:\s*({CODE})"),  # for codes built dynamically: declare them in a comment
]


def used_codes() -> dict[str, str]:
    found: dict[str, str] = {}
    for path in sorted(SRC.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for pattern in USES:
            for m in pattern.finditer(text):
                found.setdefault(m.group(1), str(path.relative_to(ROOT)))
    return found


def documented_codes() -> set[str]:
    codes: set[str] = set()
    for line in (ROOT / "docs" / "losses.md").read_text(encoding="utf-8").splitlines():
        if not line.startswith("- `"):
            continue
        head = line.split(" — ", 1)[0]
        codes.update(re.findall(rf"`({CODE})`", head))
    return codes


def test_every_used_code_is_documented():
    missing = {c: where for c, where in used_codes().items() if c not in documented_codes()}
    assert missing == {}, "document these loss codes in docs/losses.md"


def test_every_documented_code_is_used():
    stale = documented_codes() - set(used_codes())
    assert stale == set(), "these documented loss codes are not raised anywhere in src/"


def test_catalogue_is_not_empty():
    assert len(documented_codes()) >= 20
