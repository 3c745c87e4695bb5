"""The translators' catalogs are complete, current and consistent, as the
standard tools see them (``pybabel``)."""

from __future__ import annotations

import gettext
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Message
from babel.messages.pofile import read_po

from fasttrack.wording.catalogs import LOCALE_DIR, PLACEHOLDER
from fasttrack.wording.source import ENTRIES

ROOT = Path(__file__).resolve().parents[2]
PYBABEL = Path(sys.executable).with_name("pybabel")
CATALOGS = sorted(LOCALE_DIR.glob("*/LC_MESSAGES/messages.po"))


def entries(path: Path) -> dict[tuple[str | None, object], Message]:
    with path.open("rb") as file:
        return {(message.context, message.id): message for message in read_po(file) if message.id}


def test_there_is_a_catalog_for_each_translated_language():
    assert sorted(path.parents[1].name for path in CATALOGS) == ["de", "es", "fr", "it", "ja", "pt_BR", "zh_Hant"]


@pytest.mark.parametrize("catalog", CATALOGS, ids=lambda path: path.parents[1].name)
def test_pybabel_finds_every_entry_translated_and_none_fuzzy(catalog, tmp_path):
    compiled = subprocess.run([str(PYBABEL), "compile", "--statistics", "-i", str(catalog), "-o",
                               str(tmp_path / "messages.mo")], capture_output=True, text=True, check=True)
    said = compiled.stdout + compiled.stderr
    assert f"{len(ENTRIES)} of {len(ENTRIES)} messages (100%) translated" in said
    assert "fuzzy" not in said and (tmp_path / "messages.mo").stat().st_size > 0
    assert not [key for key, message in entries(catalog).items() if message.fuzzy]


def test_the_template_and_the_catalogs_hold_what_the_source_says(tmp_path):
    """``make translations`` was run after the last change to the English source."""
    fresh = tmp_path / "messages.pot"
    subprocess.run([str(PYBABEL), "extract", "-F", "babel.cfg", "--no-default-keywords", "-k", "entry:1c,2",
                    "-k", "plural_entry:1c,2,3", "-c", "Translators:", "--no-location", "-o", str(fresh),
                    "fasttrack/wording/source.py", "fasttrack/wording/findings_source.py",
                    "fasttrack/wording/page_source.py"],
                   cwd=ROOT, check=True, capture_output=True)
    expected = {(key, entry.singular if entry.plural is None else (entry.singular, entry.plural))
                for key, entry in ENTRIES.items()}
    assert set(entries(fresh)) == expected
    assert set(entries(LOCALE_DIR / "messages.pot")) == expected
    for catalog in CATALOGS:
        assert set(entries(catalog)) == expected, catalog


@pytest.mark.parametrize("catalog", CATALOGS, ids=lambda path: path.parents[1].name)
def test_every_translation_keeps_the_placeholders_of_its_source(catalog):
    with catalog.open("rb") as file:
        form_for_one = gettext.c2py(read_po(file).plural_expr)(1)
    for (key, _), message in entries(catalog).items():
        assert key is not None, message.id
        entry = ENTRIES[key]
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(PLACEHOLDER.findall(entry.plural or entry.singular))
        for index, form in enumerate(forms):
            assert isinstance(form, str), (key, form)
            found = set(PLACEHOLDER.findall(form))
            # Only the form said for exactly one may leave out its count, as the English singular
            # does ("This item is still open:"); Japanese and Chinese have one form, for every count.
            one_only = index == form_for_one and len(forms) > 1
            found_required = found - entry.optional
            assert found <= wanted | entry.optional, (key, form)
            required = wanted - entry.optional
            assert found_required == required or (one_only and found_required | {entry.counted_by} == required), (
                key, form)
