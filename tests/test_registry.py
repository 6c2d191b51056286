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
