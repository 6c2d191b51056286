"""``@record`` classes: the generated methods are current, used, and behave exactly like ``dataclasses``'.

The comparison runs a describer in two fresh interpreters, one with the generated methods and one with
``DEPGLOT_PLAIN_DATACLASSES=1`` (plain ``@dataclass(frozen=True, slots=True, ...)``), both with the same hash seed,
and requires the same description of every record class: signature, fields and their flags, ``__match_args__``,
``__slots__``, the class namespace, method names, and the behaviour of instances (repr, equality, hash,
immutability, pickling, copying, ``dataclasses.replace``/``asdict``/``astuple``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from depglot import _records

ROOT = Path(__file__).resolve().parents[1]
FAST_PYTHON = sys.implementation.name == "cpython" and sys.version_info[:2] == (3, 11)

DESCRIBE = r'''
import copy, dataclasses, importlib, inspect, json, pickle, re, sys
from depglot import _records

for module in _records.record_modules():
    importlib.import_module(module)

classes = {}
for key in sorted(_records.SPECS):
    module, _, name = key.rpartition(".")
    while module not in sys.modules:  # a nested class: module.Outer.Inner
        module, _, outer = module.rpartition(".")
        name = outer + "." + name
    obj = sys.modules[module]
    for part in name.split("."):
        obj = getattr(obj, part)
    classes[key] = obj

SAMPLES = {"depglot.ir.versions.VersionSpec": {"pep440": ">=1"}}


def shown(value):
    try:
        return re.sub(" at 0x[0-9a-f]+>", " at ADDRESS>", repr(value))
    except Exception as exc:  # noqa: BLE001
        return f"<{type(exc).__name__}: {exc}>"


def attempt(function):
    try:
        return ["ok", shown(function())]
    except Exception as exc:  # noqa: BLE001
        return [type(exc).__name__, re.sub(" at 0x[0-9a-f]+>", " at ADDRESS>", str(exc))]


out = {"fallbacks": sorted(_records.FALLBACKS), "classes": {}}
for key, cls in classes.items():
    fields = dataclasses.fields(cls)
    kwargs = {}
    for f in fields:
        if f.init and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            kwargs[f.name] = f"v-{f.name}"
    kwargs.update(SAMPLES.get(key, {}))
    positional = [kwargs.pop(f.name) for f in fields if f.init and not f.kw_only and f.name in kwargs]
    one = cls(*positional, **kwargs)
    two = cls(*positional, **kwargs)
    first = fields[0].name
    changed = dataclasses.replace(one, **{first: "other"})
    methods = {name: [type(value).__name__, getattr(value, "__qualname__", None), getattr(value, "__module__", None)]
               for name, value in sorted(vars(cls).items())
               if callable(value) and not isinstance(value, type)}
    out["classes"][key] = {
        "signature": str(inspect.signature(cls)),
        "init_annotations": shown(cls.__init__.__annotations__),
        "init_kwdefaults": shown(cls.__init__.__kwdefaults__),
        "init_defaults": shown(cls.__init__.__defaults__),
        "doc": cls.__doc__,
        "qualname": cls.__qualname__,
        "module": cls.__module__,
        "slots": list(cls.__slots__),
        "match_args": list(cls.__match_args__),
        "namespace": sorted(vars(cls)),
        "methods": methods,
        "params": shown(cls.__dataclass_params__),
        "fields": [[f.name, f.type, shown(f.default), shown(f.default_factory), f.init, f.repr, f.hash, f.compare,
                    shown(f.metadata), f.kw_only, str(f._field_type)] for f in fields],
        "is_dataclass": dataclasses.is_dataclass(cls) and dataclasses.is_dataclass(one),
        "repr": shown(one),
        "eq": [one == two, one != two, one == changed, one == object(), one.__eq__(object()) is NotImplemented],
        # the hash of the fields dataclasses hashes (values may hash by identity: compare within the process)
        "hash": [attempt(lambda: hash(one) == hash(tuple(getattr(one, f.name) for f in fields
                                                        if (f.compare if f.hash is None else f.hash)))),
                 attempt(lambda: hash(one) == hash(two))],
        "set_field": attempt(lambda: setattr(one, first, 1)),
        "del_field": attempt(lambda: delattr(one, first)),
        "set_other": attempt(lambda: setattr(one, "not_a_field", 1)),
        "has_dict": hasattr(one, "__dict__"),
        "weakref": attempt(lambda: __import__("weakref").ref(one)),
        "pickle": attempt(lambda: pickle.loads(pickle.dumps(one)) == one),
        "getstate": attempt(lambda: one.__getstate__()),
        "copy": attempt(lambda: copy.copy(one) == one and copy.deepcopy(one) == one),
        "replace": shown(changed),
        "replace_bad": attempt(lambda: dataclasses.replace(one, not_a_field=1)),
        "asdict": attempt(lambda: dataclasses.asdict(one)),
        "astuple": attempt(lambda: dataclasses.astuple(one)),
        "missing_arg": attempt(lambda: cls()),
        "extra_arg": attempt(lambda: cls(*positional, **kwargs, not_a_field=1)),
        "subclass_frozen": attempt(lambda: dataclasses.dataclass(frozen=True)(type("Sub", (cls,), {})).__name__),
    }
print(json.dumps(out, indent=1, sort_keys=True))
'''


def describe(plain: bool) -> dict:
    env = dict(os.environ, PYTHONHASHSEED="0", PYTHONPATH=str(ROOT / "src"))
    env.pop("DEPGLOT_PLAIN_DATACLASSES", None)
    if plain:
        env["DEPGLOT_PLAIN_DATACLASSES"] = "1"
    done = subprocess.run([sys.executable, "-c", DESCRIBE], env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def descriptions() -> tuple[dict, dict]:
    return describe(plain=False), describe(plain=True)


def test_generated_methods_are_current() -> None:
    generated = (ROOT / "src" / "depglot" / "_records_gen.py").read_text(encoding="utf-8")
    assert _records.generate_source() == generated, "run `python -m depglot._records` and commit _records_gen.py"


def test_every_record_module_is_found() -> None:
    modules = _records.record_modules()
    assert "depglot.ir.model" in modules and "depglot.span" in modules
    for module in modules:
        assert module.startswith("depglot.")


@pytest.mark.skipif(not FAST_PYTHON, reason="generated methods are used on CPython 3.11 only (see depglot._records)")
def test_no_record_falls_back(descriptions: tuple[dict, dict]) -> None:
    fast, plain = descriptions
    assert fast["fallbacks"] == []
    assert plain["fallbacks"] == sorted(plain["classes"])
    assert len(fast["classes"]) >= 23


def test_records_behave_like_dataclasses(descriptions: tuple[dict, dict]) -> None:
    fast, plain = descriptions
    assert fast["classes"].keys() == plain["classes"].keys()
    for key, want in plain["classes"].items():
        got = fast["classes"][key]
        for aspect in want:
            if aspect == "set_other" and FAST_PYTHON:
                continue  # see test_assigning_a_non_field_is_refused
            if aspect == "methods":
                continue  # see test_methods_have_dataclass_names
            assert got[aspect] == want[aspect], (key, aspect)


def test_methods_have_dataclass_names(descriptions: tuple[dict, dict]) -> None:
    """Same method names, qualified names and modules; only the pickling helpers differ in name (dataclasses
    shares two module-level functions between classes)."""
    fast, plain = descriptions
    for key, want in plain["classes"].items():
        got = fast["classes"][key]["methods"]
        assert got.keys() == want["methods"].keys(), key
        for name, (kind, qualname, module) in want["methods"].items():
            if name in ("__getstate__", "__setstate__") and qualname.startswith("_dataclass_"):
                assert got[name][0] == "function" and got[name][1].endswith("." + name), (key, name)
                continue
            assert got[name] == [kind, qualname, module], (key, name)


@pytest.mark.skipif(not FAST_PYTHON, reason="generated methods are used on CPython 3.11 only (see depglot._records)")
def test_assigning_a_non_field_is_refused(descriptions: tuple[dict, dict]) -> None:
    """Python 3.11's dataclasses compare with the class from before the slots rebuild, so assigning a name that is
    not a field ends in a TypeError from ``super()``; a record refuses it as FrozenInstanceError, as 3.12+ does."""
    fast, plain = descriptions
    for key, want in plain["classes"].items():
        assert want["set_other"][0] in ("TypeError", "AttributeError", "FrozenInstanceError"), key
        assert fast["classes"][key]["set_other"] == [
            "FrozenInstanceError",
            "cannot assign to field 'not_a_field'",
        ], key


def test_a_changed_class_falls_back_to_dataclasses() -> None:
    """Fields that no longer match the generated description use dataclasses (right, only slower)."""
    key = "depglot.ir.model.Raw"
    namespace = {"__annotations__": {"name": "str", "extra": "int"}, "extra": 1, "__doc__": "A changed Raw."}
    namespace.update(__module__="depglot.ir.model", __qualname__="Raw")
    saved_spec, saved_fallbacks = _records.SPECS[key], list(_records.FALLBACKS)
    try:
        built = _records.record(type("Raw", (), namespace))
        assert _records.FALLBACKS[len(saved_fallbacks) :] == [key]
    finally:
        _records.SPECS[key] = saved_spec
        _records.FALLBACKS[:] = saved_fallbacks
    assert "<string>" in built.__init__.__code__.co_filename  # made by dataclasses' exec
    assert built(name="x") == built(name="x", extra=1)
    assert repr(built(name="x")) == "Raw(name='x', extra=1)"


def test_generated_methods_are_used() -> None:
    from depglot.ir.model import Requirement

    assert Requirement.__init__.__code__.co_filename.endswith("_records_gen.py") is FAST_PYTHON
