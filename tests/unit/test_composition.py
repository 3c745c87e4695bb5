"""The engagement and its workflow are composed parts: no class of fasttrack/ or
workflows/ inherits behaviour from another class of the project (models and
errors aside), and no method of fasttrack/engagement/ or workflows/ reaches
anything through ``self`` that its own class does not define, so every call
between modules is an import."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import fasttrack
import workflows

ROOT = Path(__file__).resolve().parents[2]
# Data and errors: their subclasses add fields, not behaviour taken from elsewhere.
DATA_BASES = ("fasttrack.base", "fasttrack.models", "fasttrack.errors", "fasttrack.policy")


def _modules():
    for package in (fasttrack, workflows):
        for found in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            yield importlib.import_module(found.name)


def test_no_class_inherits_behaviour_from_another_class_of_the_project():
    inherited = [
        f"{cls.__module__}.{cls.__qualname__} < {base.__module__}.{base.__qualname__}"
        for module in _modules() for cls in vars(module).values()
        if inspect.isclass(cls) and cls.__module__ == module.__name__
        for base in cls.__mro__[1:]
        if base.__module__.split(".")[0] in ("fasttrack", "workflows") and not base.__module__.startswith(DATA_BASES)
    ]
    assert inherited == []


def _reached_through_self(cls: ast.ClassDef) -> set[str]:
    return {node.attr for node in ast.walk(cls)
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self"}


def _defined(cls: ast.ClassDef) -> set[str]:
    names = {node.name for node in cls.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}
    names |= {target.id for node in cls.body if isinstance(node, (ast.Assign, ast.AnnAssign))
              for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
              if isinstance(target, ast.Name)}
    names |= {target.attr for node in ast.walk(cls) if isinstance(node, (ast.Assign, ast.AnnAssign))
              for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
              if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "self"}
    return names


def _is_generic(base: ast.expr) -> bool:
    return isinstance(base, ast.Subscript) and getattr(base.value, "id", None) == "Generic"


def test_a_method_reaches_through_self_only_what_its_class_defines():
    strays, read = [], 0
    for folder in ("fasttrack/engagement", "workflows"):
        for source in sorted((ROOT / folder).glob("*.py")):
            for cls in ast.walk(ast.parse(source.read_text())):
                if isinstance(cls, ast.ClassDef) and all(_is_generic(base) for base in cls.bases):
                    read += 1
                    strays += [f"{source.relative_to(ROOT)}: {cls.name}.{name}"
                               for name in sorted(_reached_through_self(cls) - _defined(cls))]
    assert strays == []
    assert read >= 10, f"read only {read} classes: the search went wrong"
