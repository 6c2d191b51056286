"""Codemods as pure IR -> IR functions: exact results, losses, refusals, and idempotence (Hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from depglot.edit import codemods as cm
from depglot.errors import ConversionError, ParseError
from depglot.ir.model import Group, GroupKind, Lock, LockedPackage, LockFile, Manifest, Option, Vcs
from depglot.ir.versions import VersionSpec
from depglot.report import Report, Severity


def _m(*reqs: str, dev: tuple[str, ...] = (), options: tuple[Option, ...] = ()) -> Manifest:
    groups = [Group(name="main", kind=GroupKind.MAIN, requirements=tuple(cm.parse_req(r) for r in reqs))]
    if dev:
        groups.append(Group(name="dev", kind=GroupKind.GROUP, requirements=tuple(cm.parse_req(r) for r in dev)))
    return Manifest(format="requirements", groups=tuple(groups), options=options)


def _names(m: Manifest, group: str = "main") -> list[tuple[str, str | None]]:
    g = m.group(group)
    assert g is not None
    return [(r.name, r.version.pep440 if r.version else None) for r in g.requirements]


def test_add_appends_to_main_and_creates_groups() -> None:
    m = cm.add(_m("flask"), "requests>=2.32")
    assert _names(m) == [("flask", None), ("requests", ">=2.32")]
    m2 = cm.add(m, "pytest>=8", group="dev")
    assert m2.group("dev") is not None
    assert m2.group("dev").kind is GroupKind.GROUP
    assert _names(m2, "dev") == [("pytest", ">=8")]


def test_add_existing_updates_in_place_and_keeps_comments() -> None:
    base = _m("flask", "Requests>=2.0")
    old = base.group("main").requirements[1].replace(comments=("# http",))
    base = base.replace(groups=(base.groups[0].replace(requirements=(base.groups[0].requirements[0], old)),))
    m = cm.add(base, "requests[socks]>=2.32; python_version >= '3.9'")
    r = m.group("main").requirements[1]
    assert (r.name, r.extras, r.version.pep440, r.marker, r.comments) == (
        "Requests", ("socks",), ">=2.32", "python_version >= '3.9'", ("# http",))


def test_add_same_meaning_is_a_no_op_returning_the_same_object() -> None:
    base = _m("requests>=2.32,<3")
    assert cm.add(base, "requests<3,>=2.32") is base


def test_remove_every_group_or_one() -> None:
    base = _m("requests", "flask", dev=("Requests", "pytest"))
    assert _names(cm.remove(base, "REQUESTS")) == [("flask", None)]
    assert _names(cm.remove(base, "REQUESTS"), "dev") == [("pytest", None)]
    only_dev = cm.remove(base, "requests", group="dev")
    assert _names(only_dev) == [("requests", None), ("flask", None)]
    assert cm.remove(base, "absent") is base


def test_set_version_keeps_spelling_when_meaning_is_equal() -> None:
    base = _m("requests>=2.32.0")
    assert cm.set_version(base, "requests", ">=2.32") is base  # 2.32 == 2.32.0 in PEP 440
    m = cm.set_version(base, "requests", ">=2.33")
    assert _names(m) == [("requests", ">=2.33")]
    assert m.group("main").requirements[0].version.dialect == "pep440"


def test_set_version_any_clears_the_version() -> None:
    m = cm.set_version(_m("requests==1.0"), "requests", "*")
    assert _names(m) == [("requests", None)]


def test_set_version_leaves_vcs_requirements() -> None:
    base = _m("requests")
    vcs = base.groups[0].requirements[0].replace(source=Vcs(vcs="git", url="https://g/x"))
    base = base.replace(groups=(base.groups[0].replace(requirements=(vcs,)),))
    assert cm.set_version(base, "requests", "==1") is base


def test_set_version_drops_stale_hashes_with_a_warning() -> None:
    base = _m("requests==2.31")
    r = base.groups[0].requirements[0].replace(hashes=("sha256:aa",))
    base = base.replace(groups=(base.groups[0].replace(requirements=(r,)),))
    report = Report()
    m = cm.set_version(base, "requests", "==2.32", report=report)
    assert m.groups[0].requirements[0].hashes == ()
    assert [(l.code, l.severity) for l in report] == [("hashes-stale", Severity.WARNING)]


def test_require_hashes_refuses_unless_drop_hashes() -> None:
    base = _m("requests==2.31", options=(Option(name="require-hashes"),))
    r = base.groups[0].requirements[0].replace(hashes=("sha256:aa",))
    base = base.replace(groups=(base.groups[0].replace(requirements=(r,)),))
    with pytest.raises(ConversionError, match="--require-hashes"):
        cm.set_version(base, "requests", "==2.32")
    report = Report()
    m = cm.set_version(base, "requests", "==2.32", report=report, drop_hashes=True)
    assert m.groups[0].requirements[0].hashes == ()
    assert report.codes() == ["hashes-stale"]


def test_other_hashed_requirements_mean_hash_checking_mode() -> None:
    base = _m("requests==2.31", "idna==3.6")
    reqs = tuple(r.replace(hashes=("sha256:aa",)) for r in base.groups[0].requirements)
    base = base.replace(groups=(base.groups[0].replace(requirements=reqs),))
    with pytest.raises(ConversionError, match="hash-checking mode"):
        cm.set_version(base, "requests", "==2.32")
    assert cm.set_version(base, "requests", "==2.32", drop_hashes=True).groups[0].requirements[0].hashes == ()


def test_bad_arguments_raise_parse_errors_with_a_location() -> None:
    with pytest.raises(ParseError) as exc:
        cm.parse_spec(">=2..3")
    assert exc.value.span is not None and exc.value.span.file == "<argument>"
    with pytest.raises(ParseError):
        cm.parse_req("requests>=>2")


def test_rename_group_and_its_includes() -> None:
    base = _m("a", dev=("pytest",))
    ci = Group(name="ci", kind=GroupKind.GROUP, includes=("dev",))
    base = base.replace(groups=(*base.groups, ci))
    m = cm.rename_group(base, "dev", "test")
    assert [g.name for g in m.groups] == ["main", "test", "ci"]
    assert m.group("ci").includes == ("test",)
    assert cm.rename_group(m, "dev", "test") is m
    with pytest.raises(ConversionError):
        cm.rename_group(m, "main", "x")
    with pytest.raises(ConversionError, match="exists"):
        cm.rename_group(m, "test", "ci")


def test_normalize_names_and_optional_sort() -> None:
    base = _m("Zope.Interface>=5", "Flask_Login", "attrs")
    assert _names(cm.normalize(base)) == [("zope-interface", ">=5"), ("flask-login", None), ("attrs", None)]
    assert [n for n, _ in _names(cm.normalize(base, sort=True))] == ["attrs", "flask-login", "zope-interface"]
    assert cm.normalize(_m("attrs")) is not None
    done = cm.normalize(base, sort=True)
    assert cm.normalize(done, sort=True) is done


def test_pin_from_lock_with_hashes_and_reports() -> None:
    base = _m("requests>=2", "flask", "missing", dev=("pytest",))
    hashed = base.groups[0].requirements[1].replace(hashes=("sha256:old",))
    base = base.replace(groups=(base.groups[0].replace(requirements=(
        base.groups[0].requirements[0], hashed, base.groups[0].requirements[2])), base.groups[1]))
    lock = Lock(packages=(
        LockedPackage(name="Requests", version="2.32.3"),
        LockedPackage(name="flask", version="3.0.0", files=(LockFile(hashes=("sha256:new",)),)),
        LockedPackage(name="pytest", version="8.0", marker="python_version<'3.9'"),
        LockedPackage(name="pytest", version="8.1", marker="python_version>='3.9'"),
    ))
    report = Report()
    m = cm.pin(base, lock, report=report)
    assert _names(m) == [("requests", "==2.32.3"), ("flask", "==3.0.0"), ("missing", None)]
    assert m.groups[0].requirements[1].hashes == ("sha256:new",)
    assert report.codes() == ["pin-not-locked", "pin-ambiguous"]
    assert cm.pin(m, lock) is m


def test_lock_from_a_compiled_requirements_manifest() -> None:
    lock = cm.lock_from_manifest(_m("requests==2.32.3", "flask>=3", "idna==3.*"))
    assert [(p.name, p.version) for p in lock.packages] == [("requests", "2.32.3")]


# -- idempotence: twice == once, for every codemod, on random manifests ---------------------------------

_NAMES = st.sampled_from(["requests", "Requests", "flask", "Flask_Login", "zope.interface", "attrs", "pytest"])
_SPECS = st.sampled_from(["", ">=1", ">=2.32", "==2.31", "<3,>=2", "~=1.4", "!=1.5", ">1.0.post1"])


@st.composite
def manifests(draw: st.DrawFn) -> Manifest:
    def reqs() -> tuple:
        out = []
        for name, spec in draw(st.lists(st.tuples(_NAMES, _SPECS), max_size=6)):
            r = cm.parse_req(name + spec)
            if draw(st.booleans()):
                r = r.replace(hashes=("sha256:" + "a" * 8,))
            out.append(r)
        return tuple(out)

    groups = [Group(name="main", kind=GroupKind.MAIN, requirements=reqs())]
    if draw(st.booleans()):
        groups.append(Group(name="dev", kind=GroupKind.GROUP, requirements=reqs()))
    return Manifest(format="requirements", groups=tuple(groups))


_LOCK = Lock(packages=(LockedPackage(name="requests", version="2.32.3"), LockedPackage(name="attrs", version="23.1")))


@st.composite
def codemods(draw: st.DrawFn):  # type: ignore[no-untyped-def]
    name = draw(_NAMES)
    spec = draw(_SPECS)
    group = draw(st.sampled_from([None, "main", "dev", "docs"]))
    return draw(st.sampled_from([
        lambda m: cm.add(m, name + spec, group=group, drop_hashes=True),
        lambda m: cm.remove(m, name, group=group),
        lambda m: cm.set_version(m, name, spec or "*", group=group, drop_hashes=True),
        lambda m: cm.rename_group(m, "dev", "test"),
        lambda m: cm.normalize(m),
        lambda m: cm.normalize(m, sort=True),
        lambda m: cm.pin(m, _LOCK, group=group, drop_hashes=True),
    ]))


@settings(max_examples=300, deadline=None)
@given(manifests(), codemods())
def test_every_codemod_is_idempotent(m: Manifest, mod) -> None:  # type: ignore[no-untyped-def]
    once = mod(m)
    twice = mod(once)
    assert twice == once
    assert twice is once  # "nothing to do" is visible without comparing


def test_versions_enter_the_ir_as_pep440() -> None:
    m = cm.add(_m(), "x>=1,<2")
    v = m.group("main").requirements[0].version
    assert isinstance(v, VersionSpec) and v.dialect == "pep440" and v.pep440 == ">=1,<2"


def test_set_python_edits_the_interpreter_constraint() -> None:
    base = _m("requests").replace(python=VersionSpec.from_pep440(">=3.10"))
    m = cm.set_version(base, "Python", ">=3.11")
    assert m.python is not None and m.python.pep440 == ">=3.11"
    assert cm.set_version(m, "python", ">=3.11.0") is m
    # a requirement called python (conda) is a requirement like any other
    conda = _m("python>=3.10").replace(python=VersionSpec.from_pep440(">=3.10"))
    assert _names(cm.set_version(conda, "python", ">=3.12")) == [("python", ">=3.12")]
