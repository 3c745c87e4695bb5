"""The worker passes every module through the sandbox (workers/runner.py), so a
workflow module is shared by every run: it may hold constants only, never state one
run could leave for another."""

from __future__ import annotations

import ast
import dataclasses
import importlib
import inspect
import pkgutil
import typing
from datetime import date, timedelta
from enum import Enum
from types import MappingProxyType

from temporalio.common import RetryPolicy, SearchAttributeKey

import workflows

DATACLASS_BOOKKEEPING = {"__annotations__", "__dataclass_fields__"}  # a frozen dataclass's own, never written
IMMUTABLE = (str, int, float, bool, bytes, type(None), date, timedelta, frozenset, RetryPolicy, SearchAttributeKey,
             typing.TypeVar, Enum, MappingProxyType)


def _is_constant(value) -> bool:
    if hasattr(value, "cache_info"):  # an lru_cache wrapper holds what one run computed
        return False
    if isinstance(value, tuple):
        return all(_is_constant(item) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type) and getattr(type(value), "__dataclass_params__").frozen:
        return all(_is_constant(getattr(value, field.name)) for field in dataclasses.fields(value))
    return (isinstance(value, IMMUTABLE) or inspect.ismodule(value) or inspect.isroutine(value)
            or inspect.isclass(value) or typing.get_origin(value) is not None)  # a type such as Sequence[str]


def _modules():
    for module in pkgutil.iter_modules(workflows.__path__):
        yield importlib.import_module(f"workflows.{module.name}")


def _assigned(module) -> set[str]:
    """The names a module's own top-level statements assign (imported names belong to their own modules)."""
    names, statements = set(), list(ast.parse(inspect.getsource(module)).body)
    while statements:
        node = statements.pop()
        if isinstance(node, (ast.With, ast.If, ast.Try, ast.For, ast.While)):  # still the module's scope
            statements += [*node.body, *getattr(node, "orelse", []), *getattr(node, "finalbody", []),
                           *[line for handler in getattr(node, "handlers", []) for line in handler.body]]
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
            node, (ast.AnnAssign, ast.For)) else []
        names |= {leaf.id for target in targets for leaf in ast.walk(target) if isinstance(leaf, ast.Name)}
    return names


def test_workflow_modules_hold_only_constants():
    mutable = [
        f"{module.__name__}.{name}: {type(value).__name__}"
        for module in _modules() for name in sorted(_assigned(module))
        if not _is_constant(value := getattr(module, name))
    ]
    assert mutable == []


def test_workflow_classes_hold_no_shared_state():
    shared = [
        f"{module.__name__}.{cls.__name__}.{name}: {type(value).__name__}"
        for module in _modules() for cls in vars(module).values()
        if inspect.isclass(cls) and cls.__module__ == module.__name__
        for name, value in vars(cls).items()
        if isinstance(value, (list, dict, set, bytearray)) and name not in DATACLASS_BOOKKEEPING
    ]
    assert shared == []


def test_the_check_catches_module_state():
    assert not _is_constant([1]) and not _is_constant({"a": 1}) and not _is_constant((1, [2]))
    assert _is_constant(("a", timedelta(1))) and _is_constant(RetryPolicy())

    @dataclasses.dataclass(frozen=True)
    class Row:
        value: object

    assert _is_constant(Row("a")) and not _is_constant(Row([1]))
    assert "SIGNALLED_ACTIONS" in _assigned(importlib.import_module("workflows.action_signals"))
    assert not _is_constant(__import__("functools").lru_cache(lambda: 1))
