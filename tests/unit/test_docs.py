"""The documentation: a short README that leads to the pages, and pages that keep up with the code.

`make test` builds the site with `mkdocs build --strict` (a broken link, anchor or generated part
fails it); these check what a build cannot see: that nothing the code offers is left unsaid."""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import pytest
import typer.main
import yaml
from typer.core import TyperGroup
from pydantic_settings import BaseSettings

REPOSITORY = Path(__file__).resolve().parents[2]
DOCS = REPOSITORY / "docs"
README = REPOSITORY / "README.md"
# Every module that declares the settings of a process (each read from the environment).
SETTINGS_MODULES = ("engagement_client.settings", "workers.config", "intake.settings", "customer_page.settings",
                    "board.settings", "codec_server.settings", "devstack.settings")
# Read by the command line itself, outside any settings class.
COMMAND_LINE_VARIABLES = {"FASTTRACK_ACTOR", "FASTTRACK_DEBUG"}


class _ConfigLoader(yaml.SafeLoader):
    """mkdocs.yml names a Python function for Mermaid's fences: read past it, import nothing."""


_ConfigLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


def _nav_pages(entries: list) -> list[str]:
    pages: list[str] = []
    for entry in entries:
        for value in (entry.values() if isinstance(entry, dict) else [entry]):
            pages += _nav_pages(value) if isinstance(value, list) else [value]
    return pages


def test_the_readme_is_short_and_leads_to_the_docs():
    text = README.read_text()
    assert len(text.splitlines()) <= 200
    for command in ("make run", "make test", "make docs"):
        assert command in text
    for target in re.findall(r"\]\(((?:docs/)[^)#]+)", text):
        assert (REPOSITORY / target).is_file(), target


def test_every_page_is_in_the_navigation_and_every_entry_is_a_page():
    config = yaml.load((REPOSITORY / "mkdocs.yml").read_text(), Loader=_ConfigLoader)  # noqa: S506
    listed = _nav_pages(config["nav"])
    pages = sorted(str(page.relative_to(DOCS)) for page in DOCS.glob("*.md"))
    assert sorted(listed) == pages
    assert len(listed) == len(set(listed))


def test_every_fasttrack_command_is_in_the_operator_s_guide():
    import cli.main  # noqa: F401  (registers every command)
    from cli.app import app

    group = typer.main.get_command(app)
    assert isinstance(group, TyperGroup)
    context = group.make_context("fasttrack", [], resilient_parsing=True)
    guide = (DOCS / "operators-guide.md").read_text()
    missing = [name for name in group.list_commands(context) if f"fasttrack {name}" not in guide]
    assert missing == []


def _settings_variables() -> set[str]:
    found = set()
    for module_name in SETTINGS_MODULES:
        module = importlib.import_module(module_name)
        for cls in vars(module).values():
            if inspect.isclass(cls) and issubclass(cls, BaseSettings) and cls.__module__ == module_name:
                prefix = cls.model_config.get("env_prefix", "")
                found |= {f"{prefix}{field}".upper() for field in cls.model_fields}
    return found


def test_every_setting_is_on_the_configuration_page():
    page = (DOCS / "configuration.md").read_text()
    variables = _settings_variables() | COMMAND_LINE_VARIABLES
    assert len(variables) > 40, "the settings classes were not found"
    missing = sorted(name for name in variables if f"`{name}`" not in page)
    assert missing == []


@pytest.mark.parametrize("page", sorted(DOCS.glob("*.md")), ids=lambda page: page.name)
def test_every_page_has_a_title_and_no_section_of_the_readme_is_pointed_to(page):
    text = page.read_text()
    assert text.startswith("# ")
    assert not re.search(r"README(?!\.md)", text), "the README is a summary: point to the page that holds the text"
