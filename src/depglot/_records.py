"""``@record``: a frozen, slotted dataclass whose methods were generated ahead of time.

``@record`` (``kw_only=True`` by default) makes the same class as ``@dataclass(frozen=True, slots=True,
kw_only=...)``: same ``__init__`` signature, ``__repr__``, ``__eq__``, ``__hash__``, frozen ``__setattr__`` /
``__delattr__``, pickling, ``__match_args__``, and ``__dataclass_fields__`` so that ``dataclasses.fields``,
``replace``, ``asdict`` and ``is_dataclass`` work on it unchanged.

Why: ``dataclasses`` writes each method as source text and ``exec``-compiles it while the class is created, and
with ``slots=True`` builds the class twice. That costs ~0.8 ms per class on this machine, and the ~20 IR classes
every ``depglot`` command loads made it ~17 ms of a ~95 ms start (docs/performance.md). Here the methods'
source is generated once, by ``python -m depglot._records``, into :mod:`depglot._records_gen`, which Python
compiles to bytecode like any module; creating the class only binds those functions.

Safety: the generated methods are used only when the class's fields still match the description they were
generated from (names, defaults, ``field()`` flags, ``kw_only``/``init``), and only on the Python version the
equivalence test runs on (CPython 3.11, the version whose ``dataclasses`` internals this mirrors). Anything else
-- a field added without regenerating, ``__post_init__``, a base class with fields or a ``__dict__``, another
Python -- falls back to ``dataclasses.dataclass`` itself, which is always right, only slower. tests/test_records.py checks that the
generated file is current, that nothing falls back, and that every record behaves exactly as the dataclass it
replaces (signature, fields, repr, equality, hash, immutability, pickling, ``replace``/``asdict``).
Set ``DEPGLOT_PLAIN_DATACLASSES=1`` to use ``dataclasses`` for every record.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar, dataclass_transform, overload

__all__ = ["FALLBACKS", "SPECS", "generate_source", "record"]

T = TypeVar("T")

#: Classes built by ``dataclasses`` because no generated methods matched (keys ``module.qualname``).
FALLBACKS: list[str] = []
#: Every ``@record`` class's field description, by key (what the generator writes methods for).
SPECS: dict[str, tuple[Any, ...]] = {}

_MISSING = dataclasses.MISSING
_Field = dataclasses.Field
_FAST = (
    sys.implementation.name == "cpython"
    and sys.version_info[:2] == (3, 11)
    and not os.environ.get("DEPGLOT_PLAIN_DATACLASSES")
)
_GENERATED: dict[str, tuple[tuple[Any, ...], Callable[..., dict[str, Callable[..., Any]]]]] | None = None


class _FactorySentinel:
    """Stands for "use the default factory" as a parameter default, as dataclasses' own marker does."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<factory>"


_FACTORY = _FactorySentinel()


@overload
def record(cls: type[T], /) -> type[T]: ...


@overload
def record(*, kw_only: bool = True, init: bool = True) -> Callable[[type[T]], type[T]]: ...


# frozen_default is passed through **kwargs on 3.11 (typing grew the parameter in 3.12); type checkers read it
@dataclass_transform(frozen_default=True, kw_only_default=True, field_specifiers=(dataclasses.field, dataclasses.Field))
def record(cls: type[T] | None = None, /, *, kw_only: bool = True, init: bool = True) -> Any:
    """``@dataclass(frozen=True, slots=True, kw_only=kw_only, init=init)``, with pre-generated methods."""

    def wrap(cls: type[T]) -> type[T]:
        return _build(cls, kw_only, init)

    return wrap if cls is None else wrap(cls)


def _key(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _fields_of(cls: type) -> list[tuple[str, Any, Any]] | None:
    """``(name, annotation, class attribute or MISSING)`` per field, or None when only dataclasses can tell."""
    namespace = cls.__dict__
    out = []
    for name, annotation in namespace.get("__annotations__", {}).items():
        if not isinstance(annotation, str) or "ClassVar" in annotation or "InitVar" in annotation:
            return None
        if "KW_ONLY" in annotation:
            return None
        out.append((name, annotation, namespace.get(name, _MISSING)))
    return out


def _flags(value: Any) -> tuple[bool, bool, bool, bool, bool, bool | None]:
    """(has default, has default factory, init, repr, compare, hash) of a field's class attribute."""
    if isinstance(value, _Field):
        return (
            value.default is not _MISSING,
            value.default_factory is not _MISSING,
            value.init,
            value.repr,
            value.compare,
            value.hash,
        )
    return (value is not _MISSING, False, True, True, True, None)


def _spec(kw_only: bool, init: bool, fields: list[tuple[str, Any, Any]]) -> tuple[Any, ...]:
    return (kw_only, init, tuple((name, *_flags(value)) for name, _, value in fields))


def _build(cls: type[T], kw_only: bool, init: bool) -> type[T]:
    key = _key(cls)
    fields = _fields_of(cls)
    if fields is not None:
        spec = SPECS[key] = _spec(kw_only, init, fields)
        if _FAST:
            built = _from_generated(cls, key, spec, fields, kw_only, init)
            if built is not None:
                return built
    FALLBACKS.append(key)
    return dataclasses.dataclass(frozen=True, slots=True, kw_only=kw_only, init=init)(cls)


def _from_generated(
    cls: type[T], key: str, spec: tuple[Any, ...], fields: list[tuple[str, Any, Any]], kw_only: bool, init: bool
) -> type[T] | None:
    global _GENERATED
    namespace = cls.__dict__
    if cls.__doc__ is None or not all(_bare_base(base) for base in cls.__mro__[1:-1]):
        return None
    if any(name in namespace for name in ("__slots__", "__post_init__", "__setattr__", "__delattr__")):
        return None
    if _GENERATED is None:
        try:
            from ._records_gen import GENERATED
        except ImportError:  # not generated yet (``python -m depglot._records`` writes it)
            GENERATED = {}
        _GENERATED = GENERATED
    generated = _GENERATED.get(key)
    if generated is None or generated[0] != spec:
        return None

    field_objects: dict[str, dataclasses.Field[Any]] = {}
    defaults: list[Any] = []
    factories: list[Any] = []
    for name, annotation, value in fields:
        if isinstance(value, _Field):
            field = value
        else:
            field = dataclasses.field(default=value)
        if field.default is not _MISSING and field.default.__class__.__hash__ is None:
            return None  # a mutable default: dataclasses raises ValueError
        field.name = name
        field.type = annotation
        field._field_type = dataclasses._FIELD  # type: ignore[attr-defined]  # what dataclasses.fields() keeps
        if field.kw_only is _MISSING:
            field.kw_only = kw_only
        field_objects[name] = field
        has_factory = field.default_factory is not _MISSING
        defaults.append(_FACTORY if has_factory else field.default)
        factories.append(field.default_factory if has_factory else None)

    cell: list[type] = []
    methods = generated[1](tuple(defaults), tuple(factories), dataclasses.FrozenInstanceError, cell)
    new_namespace = dict(namespace)
    for name in field_objects:
        new_namespace.pop(name, None)
    new_namespace.pop("__dict__", None)
    new_namespace.pop("__weakref__", None)
    new_namespace["__slots__"] = tuple(field_objects)
    new_namespace["__dataclass_fields__"] = field_objects
    new_namespace["__dataclass_params__"] = dataclasses._DataclassParams(  # type: ignore[attr-defined]
        init, True, True, False, False, True
    )
    if "__match_args__" not in namespace:
        new_namespace["__match_args__"] = tuple(
            name for name, field in field_objects.items() if field.init and not field.kw_only
        )
    qualname = cls.__qualname__
    module = cls.__module__
    for name, function in methods.items():
        if name == "__init__" and not init:
            continue
        if name == "__hash__":
            own = namespace.get("__hash__", _MISSING)
            if own is not _MISSING and not (own is None and "__eq__" in namespace):
                continue  # an explicit __hash__ (``__eq__`` alone sets it to None: dataclasses adds one then)
        elif name in namespace:
            continue  # the class defines it itself (dataclasses leaves those alone)
        function.__qualname__ = f"{qualname}.{name}"
        function.__module__ = module
        if name == "__repr__":
            function = _recursive_repr(function)
        elif name == "__init__":
            annotations = {n: f.type for n, f in field_objects.items() if f.init}
            annotations["return"] = None
            function.__annotations__ = annotations
        new_namespace[name] = function
    metaclass: type = type(cls)
    new: type[T] = metaclass(cls.__name__, cls.__bases__, new_namespace)
    new.__qualname__ = qualname
    cell.append(new)
    return new


def _bare_base(base: type) -> bool:
    """A base that adds no fields and no instance storage (``__slots__ = ()``, e.g. an abc with methods only)."""
    namespace = vars(base)
    return namespace.get("__slots__", None) == () and "__dataclass_fields__" not in namespace


def _recursive_repr(function: Callable[[Any], str]) -> Callable[[Any], str]:
    """``...`` for an object already being shown by this thread, as dataclasses' repr does."""
    import _thread

    running: set[tuple[int, int]] = set()

    @functools.wraps(function)
    def wrapper(self: Any) -> str:
        key = id(self), _thread.get_ident()
        if key in running:
            return "..."
        running.add(key)
        try:
            return function(self)
        finally:
            running.discard(key)

    return wrapper


# ---------------------------------------------------------------------------------------------- the generator


def _method_source(index: int, spec: tuple[Any, ...]) -> list[str]:
    """The factory of one class's methods, as lines of Python."""
    _, _, fields = spec
    names = [field[0] for field in fields]
    lines = [f"def _make_{index}(D, F, FrozenInstanceError, cell):"]
    params = []
    body = []
    for i, (name, has_default, has_factory, init, _repr, _compare, _hash) in enumerate(fields):
        if init:
            params.append(f"{name}=D[{i}]" if has_default or has_factory else name)
            value = f"F[{i}]() if {name} is D[{i}] else {name}" if has_factory else name
            body.append(f"        _setattr(self, {name!r}, {value})")
        elif has_factory:
            body.append(f"        _setattr(self, {name!r}, F[{i}]())")
        elif has_default:
            body.append(f"        _setattr(self, {name!r}, D[{i}])")
    kw_only = spec[0]
    signature = ", ".join(["self", "*", *params] if kw_only and params else ["self", *params])
    lines.append("    _setattr = object.__setattr__")
    lines.append(f"    def __init__({signature}):")
    lines.extend(body or ["        pass"])
    shown = ", ".join(f"{field[0]}={{self.{field[0]}!r}}" for field in fields if field[4])
    lines.append("    def __repr__(self):")
    lines.append(f'        return self.__class__.__qualname__ + f"({shown})"')
    compared = [field[0] for field in fields if field[5]]
    mine = "(" + "".join(f"self.{name}," for name in compared) + ")"
    theirs = "(" + "".join(f"other.{name}," for name in compared) + ")"
    lines.append("    def __eq__(self, other):")
    lines.append("        if other.__class__ is self.__class__:")
    lines.append(f"            return {mine} == {theirs}")
    lines.append("        return NotImplemented")
    hashed = [field[0] for field in fields if (field[5] if field[6] is None else field[6])]
    lines.append("    def __hash__(self):")
    lines.append("        return hash((" + "".join(f"self.{name}," for name in hashed) + "))")
    field_tuple = "(" + "".join(f"{name!r}," for name in names) + ")"
    for verb, method, args, call in (
        ("assign to", "__setattr__", "self, name, value", "__setattr__(name, value)"),
        ("delete", "__delattr__", "self, name", "__delattr__(name)"),
    ):
        lines.append(f"    def {method}({args}):")
        lines.append(f"        if type(self) is cell[0] or name in {field_tuple}:")
        lines.append(f'            raise FrozenInstanceError(f"cannot {verb} field {{name!r}}")')
        lines.append(f"        super(cell[0], self).{call}")
    lines.append("    def __getstate__(self):")
    lines.append("        return [" + ", ".join(f"self.{name}" for name in names) + "]")
    lines.append("    def __setstate__(self, state):")
    lines.append(f"        for name, value in zip({field_tuple}, state):")
    lines.append("            _setattr(self, name, value)")
    lines.append(
        "    return {'__init__': __init__, '__repr__': __repr__, '__eq__': __eq__, '__hash__': __hash__, "
        "'__setattr__': __setattr__, '__delattr__': __delattr__, '__getstate__': __getstate__, "
        "'__setstate__': __setstate__}"
    )
    return lines


def record_modules() -> list[str]:
    """The depglot modules that define ``@record`` classes (found by reading the package's sources)."""
    from pathlib import Path

    root = Path(__file__).parent
    found = []
    for path in sorted(root.rglob("*.py")):
        if path.name in ("_records.py", "_records_gen.py"):
            continue
        if "\n@record" in path.read_text(encoding="utf-8"):
            parts = path.relative_to(root.parent).with_suffix("").parts
            found.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return found


def generate_source() -> str:
    """The text of ``_records_gen.py`` for every ``@record`` class (imports every module that defines one)."""
    from importlib import import_module

    for module in record_modules():
        import_module(module)
    lines = [
        '"""Methods of the ``@record`` classes, generated by ``python -m depglot._records``: do not edit.',
        "",
        "See depglot._records. tests/test_records.py fails when this file is out of date.",
        '"""',
        "",
        "# fmt: off",
        "# ruff: noqa",
        "",
    ]
    table = []
    for index, key in enumerate(sorted(SPECS)):
        lines.append("")
        lines.extend(_method_source(index, SPECS[key]))
        table.append(f"    {key!r}: ({SPECS[key]!r}, _make_{index}),")
    lines.append("")
    lines.append("")
    lines.append("GENERATED = {")
    lines.extend(table)
    lines.append("}")
    return "\n".join(lines) + "\n"


def _main() -> int:
    from pathlib import Path

    from depglot import _records  # noqa: PLW0406 - the module the classes registered with (this runs as __main__)

    target = Path(_records.__file__).with_name("_records_gen.py")
    text = _records.generate_source()
    if target.exists() and target.read_text(encoding="utf-8") == text:
        print(f"{target}: up to date")
        return 0
    target.write_text(text, encoding="utf-8")
    print(f"{target}: written ({len(_records.SPECS)} classes)")
    return 0


if __name__ == "__main__":
    sys.exit(_main())
