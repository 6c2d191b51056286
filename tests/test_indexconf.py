"""pip.conf / pip.ini, uv.toml and .condarc as extra sources of indexes and channels (pip's own config as oracle)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from depglot import api
from depglot.cli import build_app
from depglot.errors import DepglotError, ParseError
from depglot.indexconf import credential_env_hint, merge, read_index_config, strip_credentials
from depglot.ir.model import Index, IndexRole, Option
from tests.conftest import FIXTURES, corpus_params

CONF = FIXTURES / "pip_conf"


def _pip_effective(path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """What pip's own configuration loader reads from ``path`` for ``pip install`` (install overrides global)."""
    from pip._internal.configuration import Configuration

    monkeypatch.setenv("PIP_CONFIG_FILE", str(path))
    conf = Configuration(isolated=False)
    conf.load()
    items = next(values for fname, values in conf.items() if fname == str(path))
    out: dict[str, list[str]] = {}
    for key in ("index-url", "extra-index-url", "find-links", "trusted-host", "no-index"):
        for section in ("install", "global"):
            for spelled in (key, key.replace("-", "_")):
                if f"{section}.{spelled}" in items and key not in out:
                    out[key] = items[f"{section}.{spelled}"].split()
    return out


def _ours(path: Path) -> dict[str, list[str]]:
    config = read_index_config(path, "pip")
    out: dict[str, list[str]] = {}
    names = {IndexRole.DEFAULT: "index-url", IndexRole.EXTRA: "extra-index-url", IndexRole.FIND_LINKS: "find-links"}
    for index in config.indexes:
        out.setdefault(names[index.role], []).append(index.url)
    hosts = [o.value for o in config.options if o.name == "trusted-host"]
    from urllib.parse import urlsplit

    hosts += [urlsplit(i.url).hostname for i in config.indexes if i.verify_ssl is False]
    if hosts:
        out["trusted-host"] = sorted(set(hosts))
    if config.no_index:
        out["no-index"] = ["yes"]
    return out


@pytest.mark.parametrize("path", [*corpus_params("pip_conf"), pytest.param(CONF / "layered.conf", id="layered")])
def test_agrees_with_pips_configuration(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pip = _pip_effective(path, monkeypatch)
    ours = _ours(path)
    if "trusted-host" in pip:
        pip["trusted-host"] = sorted({h.split(":")[0] for h in pip["trusted-host"]})
    assert ours == pip


def test_layered_pip_conf() -> None:
    config = read_index_config(CONF / "layered.conf")
    assert [(i.url, i.role, i.verify_ssl, i.span.line) for i in config.indexes] == [
        ("https://me:s3cret@install.example.com/simple/", IndexRole.DEFAULT, False, 10),
        ("https://extra-one.example.com/simple", IndexRole.EXTRA, None, 4),
        ("https://${PIP_USER}:${PIP_TOKEN}@extra-two.example.com/simple", IndexRole.EXTRA, None, 4),
        ("./vendor", IndexRole.FIND_LINKS, None, 11),
    ]
    assert config.no_index is True
    assert config.options == (Option(name="trusted-host", value="files.example.com", span=config.options[0].span),)
    assert [l.concise() for l in config.losses] == [
        f"{CONF / 'layered.conf'}:7:1: info[index-config-setting-ignored]: pip setting 'timeout' ([global]) has no "
        "place in a manifest; not carried [global.timeout]",
        f"{CONF / 'layered.conf'}:19:1: warning[index-config-unknown-section]: section [intall] is not a pip command; "
        "pip ignores it [intall]",
    ]


def test_uv_toml() -> None:
    config = read_index_config(CONF / "uv.toml")
    assert [(i.name, i.url, i.role, i.span.line) for i in config.indexes] == [
        ("pytorch-cu121", "https://download.pytorch.org/whl/cu121", IndexRole.EXPLICIT, 4),
        ("private", "https://${UV_USER}@pkgs.example.com/simple", IndexRole.DEFAULT, 9),
        ("vendor", "./vendor", IndexRole.FIND_LINKS, 14),
        (None, "https://pip-extra.example.com/simple", IndexRole.EXTRA, 20),
    ]
    assert config.no_index is False
    assert [(l.code, l.subject, l.span.line) for l in config.losses] == [
        ("index-config-setting-ignored", "python-preference", 2)
    ]


def test_condarc() -> None:
    config = read_index_config(CONF / "condarc", "conda")
    assert config.channels == ("conda-forge", "bioconda", "defaults")
    assert [(l.code, l.subject) for l in config.losses] == [("index-config-setting-ignored", "channel_priority")]


@pytest.mark.parametrize(("name", "tool", "line"), [("broken.conf", "pip", 1), ("broken.condarc", "conda", 2)])
def test_bad_files_are_located_errors(name: str, tool: str, line: int) -> None:
    with pytest.raises(ParseError) as info:
        read_index_config(CONF / name, tool)
    assert info.value.span.file == str(CONF / name) and info.value.span.line == line
    with pytest.raises(DepglotError, match="cannot read"):
        read_index_config(CONF / "missing.conf")
    with pytest.raises(DepglotError, match="cannot tell which installer"):
        read_index_config(CONF / "whatever")


def test_merge_keeps_the_manifests_own_default_index() -> None:
    manifest = api.loads("-i https://own.example.com/simple\nrequests\n", "requirements")
    merged = merge(manifest, read_index_config(CONF / "layered.conf"))
    assert [(i.url, i.role) for i in merged.indexes] == [
        ("https://own.example.com/simple", IndexRole.DEFAULT),
        ("https://extra-one.example.com/simple", IndexRole.EXTRA),
        ("https://${PIP_USER}:${PIP_TOKEN}@extra-two.example.com/simple", IndexRole.EXTRA),
        ("./vendor", IndexRole.FIND_LINKS),
    ]
    assert merged.no_index is True
    overridden = [l for l in merged.losses if l.code == "index-config-overridden"]
    assert len(overridden) == 1 and "s3cret" not in overridden[0].concise() and "me:***@" in overridden[0].concise()


def test_merged_indexes_reach_a_pip_target_with_credentials_and_env_kept() -> None:
    manifest = merge(api.loads("requests\n", "requirements"), read_index_config(CONF / "layered.conf"))
    text = api.dumps(manifest, "requirements").text
    assert "--index-url https://me:s3cret@install.example.com/simple/\n" in text
    assert "--extra-index-url https://${PIP_USER}:${PIP_TOKEN}@extra-two.example.com/simple\n" in text
    assert "--trusted-host install.example.com\n" in text and "--trusted-host files.example.com\n" in text
    assert "--find-links ./vendor\n" in text and "--no-index\n" in text


def test_credential_env_hints() -> None:
    private = Index(name="private-repo", url="https://${USER}:${TOKEN}@pkgs.example.com/simple")
    assert credential_env_hint(private, "pep621+uv") == (
        "uv does not expand ${USER}, ${TOKEN} in index URLs; write the URL without them and set "
        "UV_INDEX_PRIVATE_REPO_USERNAME and UV_INDEX_PRIVATE_REPO_PASSWORD for index 'private-repo'"
    )
    token = Index(name="corp.pkgs", url="https://me:s3cret@pkgs.example.com/simple")
    hint = credential_env_hint(token, "poetry")
    assert hint is not None and "POETRY_HTTP_BASIC_CORP_PKGS_USERNAME" in hint and "s3cret" not in hint
    assert credential_env_hint(private, "pipfile") is None
    assert credential_env_hint(private, "requirements") is None
    assert credential_env_hint(Index(name="x", url="https://pkgs.example.com/simple"), "uv") is None
    assert strip_credentials(token.url) == "https://pkgs.example.com/simple"


def test_cli_pip_conf_option(tmp_path: Path) -> None:
    src = tmp_path / "requirements.txt"
    src.write_text("requests==2.32.3\n")
    args = ["convert", str(src), "-t", "pipfile", "--pip-conf", str(CONF / "layered.conf"), "--fail-on", "never"]
    result = CliRunner().invoke(build_app(args), args)
    assert result.exit_code == 0, result.output
    assert 'url = "https://me:s3cret@install.example.com/simple/"' in result.stdout
    assert "s3cret" not in result.stderr
    assert "index-config-unknown-section" in result.stderr
    args = ["convert", str(src), "-t", "requirements", "--index-config", str(CONF / "broken.conf")]
    bad = CliRunner().invoke(build_app(args), args)
    assert bad.exit_code == 2 and "Traceback" not in bad.output and "broken.conf:1" in bad.stderr


def test_a_bad_port_in_a_trusted_index_url_is_not_a_traceback() -> None:
    """Found by the property test below: ``urlsplit(...).port`` raises on ``host:-``."""
    from depglot.indexconf import read_pip_conf

    config = read_pip_conf("[global]\nindex-url = https://h:- /simple\ntrusted-host = h\n", "pip.conf")
    assert [(i.url, i.verify_ssl) for i in config.indexes] == [("https://h:-", None)]
    assert credential_env_hint(Index(name=None, url="https://u:p@[::1/simple"), "uv") is not None


@pytest.mark.parametrize("tool", ["pip", "uv", "conda"])
def test_hostile_configuration_is_never_a_traceback(tool: str) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from depglot.indexconf import read_condarc, read_pip_conf, read_uv_toml

    reader = {"pip": read_pip_conf, "uv": read_uv_toml, "conda": read_condarc}[tool]
    seeds = [(CONF / n).read_text() for n in ("layered.conf", "uv.toml", "condarc")]
    pieces = st.sampled_from(["[global]\n", "[[index]]\n", "index-url = ", "url = ", "channels:\n", "  - x\n", "=",
                              "\n", "[", "]", '"', "{", "- ", "\t", "%(x)s", "${A}", "\ufeff", "\x00", "é"])

    @settings(max_examples=150, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(st.sampled_from(seeds), st.lists(st.tuples(st.integers(0, 400), pieces), max_size=6))
    def check(seed: str, edits: list[tuple[int, str]]) -> None:
        text = seed
        for at, piece in edits:
            text = text[:at] + piece + text[at:]
        try:
            reader(text, "fuzz.conf")
        except DepglotError as exc:
            assert exc.span is not None and exc.span.file == "fuzz.conf"

    check()


def test_invalid_uv_toml_is_located() -> None:
    from depglot.indexconf import read_uv_toml

    with pytest.raises(ParseError, match="invalid TOML") as info:
        read_uv_toml('\ufeffindex-url = "https://example.com/simple"\n[[index]\nurl = "x"\n', "uv.toml")
    span = info.value.span
    assert (span.file, span.line, span.column) == ("uv.toml", 2, 8)
    assert info.value.source_line == "[[index]"
