"""A page that names no engagement speaks the browser's language, when a catalog has it."""

from __future__ import annotations

import pytest

from customer_page.languages import negotiated_language


@pytest.mark.parametrize(("header", "language"), [
    ("fr-CH, fr;q=0.9, en;q=0.8", "fr"),
    ("de;q=0.1, it", "it"),  # the q-values rank them
    ("pt-PT", "pt-BR"),
    ("zh-TW", "zh-Hant"), ("zh-Hant-HK", "zh-Hant"),
    ("zh-CN, zh;q=0.9", "en"),  # no Simplified Chinese catalog: Traditional would not do
    ("ja-JP", "ja"),
    ("", "en"), ("*", "en"), ("xx-YY, ;q=abc, \u00e9", "en"), ("en;q=0, fr;q=0.5", "fr"),
])
def test_the_browser_s_language_is_found_among_the_catalogs(header, language):
    assert negotiated_language(header) == language
