"""What reps read most, in every language, against text written by hand (tests/golden/)."""

from __future__ import annotations

import difflib

import pytest

from tests.golden.scenes import LANGUAGES, golden, render


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_most_frequent_messages_read_as_written(language: str):
    expected = golden(language).read_text(encoding="utf-8")
    got = render(language)
    diff = "\n".join(difflib.unified_diff(expected.splitlines(), got.splitlines(), "golden", "rendered", lineterm=""))
    assert got == expected, f"{language} differs from tests/golden/{language}.txt:\n{diff[:4000]}"
