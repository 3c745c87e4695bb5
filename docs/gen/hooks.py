"""The parts of the documentation written from the code and the results at build time.

A page asks for one with a marker on a line of its own, ``<!-- generated: NAME -->``:

- ``commands``: every ``fasttrack`` command, its usage and options, read from the command line itself;
- ``intake-api``: the HTTP intake's operations, from its FastAPI app's ``openapi()``;
- ``intake-actions``: each action's body, from the action catalogue's models;
- ``bench-latest`` and ``bench-scale``: the benchmark's tables, from ``bench/results/*.json``;
- ``bench-budgets``: the latest run's budgets, met and over, from ``bench/results/latest.json``;
- ``packages``: the import graph between the project's packages, read from the source.

Prose quotes a figure of the same results inline, so that it says what the tables say:
``<!-- bench: latest | FIGURE NAME | value -->`` (or ``baseline``, ``ratio``, ``note``), and
``<!-- bench: latest | took -->`` or ``<!-- bench: latest | finished -->`` for the run itself
(``scale`` for ``bench/results/scale.json``). A figure the results do not hold stops the build.

The intake's OpenAPI document is also written to the site as ``intake-openapi.json``.
An unknown marker, or a generator that fails, stops the build (MkDocs hooks, no plugin)."""

from __future__ import annotations

import ast
import dataclasses
import json
import re
import sys
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parents[2]
MARKER = re.compile(r"^<!-- generated: ([a-z-]+) -->$", re.M)
FIGURE = re.compile(r"<!-- bench: (.*?) -->")
OPENAPI_FILE = "intake-openapi.json"

# The packages of the product and its tools, in the order the architecture page names them.
PACKAGES = ("cli", "devstack", "simulation", "intake", "customer_page", "board", "codec_server", "workers",
            "engagement_client", "workflows", "activities", "register", "process_support", "fasttrack")


def on_config(config: Any) -> Any:
    if str(ROOT) not in sys.path:  # bench/ is not an installed package
        sys.path.insert(0, str(ROOT))
    return config


def on_files(files: Files, config: Any) -> Files:
    files.append(File.generated(config, OPENAPI_FILE, content=json.dumps(intake_openapi(), indent=2) + "\n"))
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:
    def generated(found: re.Match[str]) -> str:
        name = found[1]
        if name not in GENERATORS:
            raise PluginError(f"{page.file.src_uri}: no generator named {name!r} (known: {', '.join(GENERATORS)})")
        return GENERATORS[name]().rstrip("\n")

    def figure(found: re.Match[str]) -> str:
        try:
            return bench_figure(*(part.strip() for part in found[1].split("|")))
        except (KeyError, TypeError, ValueError) as error:
            raise PluginError(f"{page.file.src_uri}: {found[0]}: {error}") from None

    return FIGURE.sub(figure, MARKER.sub(generated, markdown))


# --- Markdown helpers ---------------------------------------------------------------------------------------------

def _cell(text: str) -> str:
    """Text for a table cell: one line, pipes escaped, angle brackets shown as written."""
    text = " ".join(str(text).split())
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def _code(text: str) -> str:
    """A code span, on one line (the tables extension keeps a pipe inside one in its cell)."""
    return "`" + " ".join(str(text).split()) + "`"


def _prose(text: str) -> str:
    """Help text as Markdown paragraphs: Rich's bold kept, angle brackets shown as written outside code."""
    text = re.sub(r"\[/?bold\]", "**", text.strip())
    paragraphs = []
    for paragraph in re.split(r"\n\s*\n", text):
        parts = " ".join(paragraph.split()).split("`")
        paragraphs.append("`".join(part if index % 2 else part.replace("<", "&lt;").replace(">", "&gt;")
                                   for index, part in enumerate(parts)))
    return "\n\n".join(paragraphs)


def _table(header: Iterable[str], rows: Iterable[Iterable[str]]) -> list[str]:
    header = list(header)
    return (["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
            + ["| " + " | ".join(row) + " |" for row in rows])


# --- The command line ---------------------------------------------------------------------------------------------

def commands() -> str:
    import typer.main
    from typer.core import TyperGroup

    import cli.main  # noqa: F401  (registers every command)
    from cli.app import app

    group = typer.main.get_command(app)
    assert isinstance(group, TyperGroup)
    context = group.make_context("fasttrack", [], resilient_parsing=True)
    lines: list[str] = []
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        if command is None or command.hidden:
            continue
        sub = command.make_context(name, [], parent=context, resilient_parsing=True)
        usage = " ".join(["fasttrack", name, *command.collect_usage_pieces(sub)])
        lines += ["", f"### `fasttrack {name}`", "", _prose(command.help or ""), "", "```text", usage, "```"]
        options = [record for param in command.get_params(sub) if (record := param.get_help_record(sub))
                   and record[0] != "--help"]
        if options:
            lines += [""] + _table(("argument or option", "what it does"),
                                   ((_code(flags), _cell(help_text)) for flags, help_text in options))
        if command.epilog:
            lines += ["", _prose(command.epilog)]
    return "\n".join(lines) + "\n"


# --- The HTTP intake ----------------------------------------------------------------------------------------------

@cache
def intake_openapi() -> dict[str, Any]:
    """The document the running intake serves at /openapi.json, from the same app (no server, no client)."""
    from pydantic import SecretStr

    from intake.app import create_app
    from intake.settings import IntakeSettings

    # Built without the environment: the document does not depend on any setting.
    settings = IntakeSettings.model_construct(commerce_secret=SecretStr("c" * 32), portal_secret=SecretStr("p" * 32))
    return create_app(settings, client=None, register=None).openapi()  # type: ignore[arg-type]


def _schema_words(schema: dict[str, Any], document: dict[str, Any]) -> str:
    """A JSON schema in a few words: its type, its values if an enumeration, its limits."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        target = document.get("components", {}).get("schemas", {}).get(name) or document.get("$defs", {}).get(name)
        if target and "enum" in target:
            return "one of " + ", ".join(_code(value) for value in target["enum"])
        return f"object ({name})"
    if "anyOf" in schema:
        kinds = [_schema_words(option, document) for option in schema["anyOf"] if option.get("type") != "null"]
        words = " or ".join(kinds)
        return words + (", or null" if len(kinds) < len(schema["anyOf"]) else "")
    if "enum" in schema:
        return "one of " + ", ".join(_code(value) for value in schema["enum"])
    kind = schema.get("type", "any JSON")
    if kind == "array" and "items" in schema:
        kind = f"list of {_schema_words(schema['items'], document)}"
    if schema.get("format"):
        kind += f" ({schema['format']})"
    notes = []
    if schema.get("minLength", 1) > 1:
        notes.append(f"at least {schema['minLength']} characters")
    if "maxLength" in schema:
        notes.append(f"at most {schema['maxLength']} characters")
    if "maxItems" in schema:
        notes.append(f"at most {schema['maxItems']} items")
    if "pattern" in schema:
        notes.append(f"pattern {_code(schema['pattern'])}")
    return kind + (", " + ", ".join(notes) if notes else "")


def intake_api() -> str:
    document = intake_openapi()
    info = document["info"]
    lines = [f"*{info['title']}*, version {info['version']}, OpenAPI {document['openapi']}: "
             f"[download the document]({OPENAPI_FILE}) (the running intake serves the same at `/openapi.json`, "
             "and an interactive page at `/docs`)."]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            lines += ["", f"### `{method.upper()} {path}`", "", operation.get("summary", "")]
            who = ("bearer token (`Authorization: Bearer <token>`)" if operation.get("security")
                   else "none in the document: the request is signed (see [Signing](http-intake.md#signing))")
            lines += ["", f"Tag: *{', '.join(operation.get('tags', []))}* · authentication: {who}"]
            parameters = operation.get("parameters", [])
            if parameters:
                lines += ["", "**Parameters**", ""] + _table(
                    ("name", "in", "required", "schema", "description"),
                    ((_code(p["name"]), p["in"], "yes" if p.get("required") else "no",
                      _schema_words(p["schema"], document),
                      _cell(p.get("description", ""))) for p in parameters))
            body = operation.get("requestBody")
            if body:
                for media, content in body.get("content", {}).items():
                    schema = content.get("schema", {})
                    lines += ["", f"**Request body** ({'required' if body.get('required') else 'optional'}): "
                              f"`{media}`, {_schema_words(schema, document)}"
                              + (f": {schema['description']}" if schema.get("description") else "")]
            lines += ["", "**Responses** (declared by the app; every refusal is listed on "
                          "[the intake's page](http-intake.md#answers-and-refusals))", ""]
            lines += _table(("status", "description", "content"),
                            ((_code(status), _cell(response.get("description", "")),
                              ", ".join(_code(media) for media in response.get("content", {})) or "—")
                             for status, response in operation.get("responses", {}).items()))
    schemas = document.get("components", {}).get("schemas", {})
    if schemas:
        lines += ["", "### Schemas"]
        for name, schema in schemas.items():
            lines += ["", f"**{name}**: {_cell(schema.get('description', '')) or schema.get('type', '')}"]
            if "enum" in schema:
                lines += ["", "one of " + ", ".join(_code(value) for value in schema["enum"])]
            properties = schema.get("properties", {})
            if properties:
                required = set(schema.get("required", []))
                lines += [""] + _table(("field", "required", "schema"),
                                       ((_code(field), "yes" if field in required else "no",
                                         _schema_words(value, document))
                                        for field, value in properties.items()))
    return "\n".join(lines) + "\n"


def intake_actions() -> str:
    """Each action of the catalogue: its phases, what it records, and its body's fields (`by` comes from the token)."""
    from fasttrack.engagement.catalogue import CATALOGUE

    rows = []
    for rule in CATALOGUE:
        schema = rule.action.model_json_schema()
        required = set(schema.get("required", []))
        fields = [f"{_code(field)}{'' if field in required else ' (optional)'}: {_schema_words(value, schema)}"
                  for field, value in schema.get("properties", {}).items() if field != "by"]
        rows.append((_code(rule.name), ", ".join(_code(phase.value) for phase in rule.phases),
                     _cell(rule.description), "<br>".join(fields)))
    return "\n".join(_table(("action", "phases", "what it records", "body"), rows)) + "\n"


# --- The benchmark ------------------------------------------------------------------------------------------------

# Which make target writes each result.
BENCH_TARGETS = {"latest": "make bench", "scale": "make bench-scale"}


def _recorded(name: str) -> tuple[Any, dict[str, Any]]:
    """A run's report, as `bench/report.py` holds it, and its meta."""
    from bench.report import Figure, Report

    if name not in BENCH_TARGETS:
        raise KeyError(f"no results named {name!r} (known: {', '.join(BENCH_TARGETS)})")
    recorded = json.loads((ROOT / "bench" / "results" / f"{name}.json").read_text())
    fields = {field.name for field in dataclasses.fields(Figure)}
    report = Report([Figure(**{key: value for key, value in figure.items() if key in fields})
                     for figure in recorded["figures"]], recorded["details"], recorded["profile"])
    return report, recorded["meta"]


def _bench(name: str) -> str:
    from bench.report import markdown

    report, meta = _recorded(name)
    text = markdown(report, meta)  # the same text the make target writes beside the JSON
    return (f"*Written at build time from `bench/results/{name}.json`, as `{BENCH_TARGETS[name]}` writes "
            f"`bench/results/{name}.md`.*\n\n" + text)


def bench_latest() -> str:
    return _bench("latest")


def bench_scale() -> str:
    return _bench("scale")


def _quantity(value: float, unit: str, digits: int) -> str:
    return f"{value:,.{digits}f} {unit}".rstrip()


def bench_figure(name: str, what: str, field: str | None = None) -> str:
    """One number of a run, written as its table writes it (scale's with one decimal, as its table)."""
    report, meta = _recorded(name)
    if field is None:
        if what == "took":
            return f"{meta['minutes']:.1f} minutes"
        if what == "finished":
            return str(meta["finished"])
        raise KeyError(f"{what!r}: a run has 'took' and 'finished'; a figure needs a field")
    figures = [figure for figure in report.figures if figure.name == what]
    if len(figures) != 1:
        raise KeyError(f"bench/results/{name}.json has no figure named {what!r}")
    figure, digits = figures[0], 1 if name == "scale" else 2
    if field == "value":
        return _quantity(figure.value, figure.unit, digits)
    if field == "baseline" and figure.baseline is not None:
        return _quantity(figure.baseline, figure.unit, digits)
    if field == "ratio" and figure.ratio is not None:
        return f"{figure.ratio:.2f}×"
    if field == "note" and figure.note:
        return str(figure.note)
    raise ValueError(f"{what!r} has no {field!r} (fields: value, and baseline, ratio and note where it has them)")


def bench_budgets() -> str:
    """The latest run's budgets, in two lists: met, and over."""
    report, meta = _recorded("latest")
    budgeted = [figure for figure in report.figures if figure.budget and figure.passed is not None]

    def said(figure: Any) -> str:
        value = _quantity(figure.value, figure.unit, 2)
        ratio = f" ({figure.ratio:.2f}× its baseline)" if figure.ratio is not None else ""
        return f"{figure.name}: {_cell(value)}{ratio}, budget {_cell(figure.budget)}"

    lines = [f"*Written at build time from `bench/results/latest.json`: the run of {meta['finished']}.*", ""]
    for passed, title in ((True, "Met"), (False, "Over")):
        chosen = [said(figure) for figure in budgeted if figure.passed is passed]
        lines += [f"**{title}** ({len(chosen)}):", ""] + [f"- {line}" for line in chosen or ["none"]] + [""]
    return "\n".join(lines)


# --- The packages -------------------------------------------------------------------------------------------------

def _imports(package: str) -> set[str]:
    found: set[str] = set()
    for path in sorted((ROOT / package).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.add(node.module.split(".")[0])
    return found & set(PACKAGES) - {package}


def _reaches(edges: set[tuple[str, str]], start: str, goal: str, without: tuple[str, str]) -> bool:
    seen, stack = set(), [start]
    while stack:
        here = stack.pop()
        for source, target in edges:
            if source == here and (source, target) != without and target not in seen:
                seen.add(target)
                stack.append(target)
    return goal in seen


def packages() -> str:
    imports = {package: _imports(package) for package in PACKAGES}
    edges = {(package, imported) for package, found in imports.items() for imported in found}
    # Only the arrows no path of other arrows already implies: the picture stays readable.
    shown = sorted(edge for edge in edges if not _reaches(edges, *edge, without=edge))
    node: Callable[[str], str] = lambda package: f'{package}["{package}/"]'  # noqa: E731
    lines = ["```mermaid", "flowchart TD"] + [f"    {node(source)} --> {node(target)}" for source, target in shown]
    lines += ["```", "", "Each package and every package it imports (the arrows above leave out those a path of "
                         "other arrows already implies):", ""]
    lines += _table(("package", "imports"),
                    ((_code(f"{package}/"), ", ".join(_code(f"{found}/") for found in sorted(imports[package],
                                                                                             key=PACKAGES.index))
                      or "none of the project's")
                     for package in PACKAGES))
    return "\n".join(lines) + "\n"


GENERATORS: dict[str, Callable[[], str]] = {
    "commands": commands,
    "intake-api": intake_api,
    "intake-actions": intake_actions,
    "bench-latest": bench_latest,
    "bench-scale": bench_scale,
    "bench-budgets": bench_budgets,
    "packages": packages,
}
