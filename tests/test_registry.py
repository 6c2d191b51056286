import pytest

from depglot import registry


@pytest.mark.parametrize("name", list(registry.BUILTIN_TABLE))
def test_builtin_table_patterns_match_the_class(name):
    """The registry's copy of each format's file patterns equals the class's own (no drift)."""
    if not registry._available(name):
        pytest.fail(f"built-in format {name!r} has no converter module")
    cls = registry.format_class(name)
    assert tuple(cls.filenames) == registry.BUILTIN_TABLE[name][1]
    assert cls.name == name


def test_every_alias_resolves():
    for alias in registry.ALIASES:
        assert registry.get(alias).full_name == registry.ALIASES[alias]


def test_detect_imports_only_candidates():
    import subprocess
    import sys

    code = (
        "import sys; from depglot import registry; registry.detect('x.ir.json', '{\"ir-version\": 1}'); "
        "print(sorted(m for m in sys.modules if m.startswith('depglot.converters.') and m.count('.') == 2))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['depglot.converters.native']"


def _corpus_heads():
    from .conftest import CORPUS

    if not CORPUS.is_dir():
        return []
    out = []
    for d in sorted(p for p in CORPUS.iterdir() if p.is_dir()):
        for p in sorted(d.iterdir()):
            if p.is_file():
                head = p.read_bytes()[:8192].decode("utf-8", errors="replace")
                out.append((p, head))
    return out


CORPUS_HEADS = _corpus_heads()


@pytest.mark.skipif(not CORPUS_HEADS, reason="shared corpus absent")
def test_sniffers_are_necessary_conditions_of_detect():
    """A format whose sniffer rejects a file would have scored it 0: sniffing never changes what is detected."""
    checked = 0
    for path, head in CORPUS_HEADS:
        for filename in (path.name, path.name.rsplit("__", 1)[-1], ""):
            for name in registry.BUILTIN:
                score = registry.format_class(name)(None).detect(filename, head)
                if score > 0:
                    assert registry.could_be(name, filename, head), (name, filename)
                    checked += 1
    assert checked > 300


@pytest.mark.skipif(not CORPUS_HEADS, reason="shared corpus absent")
def test_content_detection_gives_the_same_format_as_scoring_every_format():
    """Detection with sniffers equals detection that imports and scores every built-in (the old behaviour)."""
    def score_all(filename, head):
        by_name = [n for n in registry.BUILTIN if registry._matches(filename, registry.BUILTIN_TABLE[n][1])]
        for candidates, bonus in ((by_name, 50), (list(registry.BUILTIN), 0)):
            best = None
            for name in candidates:
                score = bonus + registry.format_class(name)(None).detect(filename, head)
                if score > 0 and (best is None or score > best[0]):
                    best = (score, name)
            if best is not None:
                return best[1]
        return None

    same = 0
    for path, head in CORPUS_HEADS:
        expected = score_all(path.name, head)
        try:
            got = registry.detect(path.name, head).name  # corpus names (owner__repo__Pipfile) match no pattern
        except registry.DetectError:
            got = None
        assert got == expected, path.name
        same += 1
    assert same == len(CORPUS_HEADS)


def test_content_detection_imports_only_plausible_formats():
    import subprocess
    import sys

    code = (
        "import sys; from depglot import registry; "
        "f = registry.detect('005-bot__Pipfile', '[[source]]\\nurl = \"https://pypi.org/simple\"\\n[packages]\\nx = \"*\"\\n'); "
        "formats = {t.split(':')[0] for t in registry.BUILTIN.values()}; "
        "print(f.name, sorted(m for m in sys.modules if m in formats))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "pipfile ['depglot.converters.pipfile']"


def test_glob_agrees_with_fnmatch():
    import fnmatch
    import itertools

    patterns = {p.lower() for _, pats in registry.BUILTIN_TABLE.values() for p in pats}
    patterns |= {"*", "**", "a*b*c", "*a*a*", "x", "a*", "*.txt", "req*req*.txt"}
    names = {p.name.lower() for p, _ in CORPUS_HEADS} | {p.name.lower().rsplit("__", 1)[-1] for p, _ in CORPUS_HEADS}
    names |= {"".join(t) for n in range(5) for t in itertools.product("a*b.c", repeat=n)}
    names |= {"requirements.txt", "requirementsreq.txt", "req.txt", "pylock.toml", "pylock.x.toml", "pylock..toml"}
    for name in names:
        for pattern in patterns:
            assert registry._glob(name, pattern) == fnmatch.fnmatchcase(name, pattern), (name, pattern)
