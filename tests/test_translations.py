"""The Chinese catalogue is complete and in step with the code.

Fails when a string in messages.po is untranslated or fuzzy, when a translation drops or invents a
placeholder, and when a fresh extraction finds strings that messages.pot or messages.po lack (run
`make extract-messages`, translate, and commit). The extraction runs exactly the `pybabel extract`
command of the Makefile's extract-messages target, so the keywords and folders are defined once.
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

PROJECT_DIR = Path(__file__).resolve().parent.parent
TRANSLATIONS = PROJECT_DIR / "app" / "translations"
POT = TRANSLATIONS / "messages.pot"
PO = TRANSLATIONS / "zh_Hans" / "LC_MESSAGES" / "messages.po"


def read_catalog(path: Path):
    with path.open("rb") as handle:
        return read_po(handle)


def msgids(catalog) -> set:
    return {message.id for message in catalog if message.id}


def makefile_extract_arguments(output: Path) -> list[str]:
    """The arguments of the Makefile's `pybabel extract` line, writing to ``output`` instead and
    keeping the source locations (they change no msgid and tell where a string came from)."""
    recipe = (PROJECT_DIR / "Makefile").read_text(encoding="utf-8").replace("\\\n", " ")
    lines = [line for line in recipe.splitlines() if "pybabel extract" in line]
    assert len(lines) == 1, "the Makefile should have exactly one `pybabel extract` command"
    words = shlex.split(lines[0].split("pybabel", 1)[1])
    out = words.index("-o")
    words[out + 1] = str(output)
    return [word for word in words if word != "--no-location"]


@pytest.fixture(scope="module")
def fresh_extraction(tmp_path_factory):
    output = tmp_path_factory.mktemp("babel") / "messages.pot"
    arguments = makefile_extract_arguments(output)
    # The Makefile runs from the project folder and extracts ".", so do the same.
    previous = os.getcwd()
    os.chdir(PROJECT_DIR)
    try:
        CommandLineInterface().run(["pybabel", "--quiet", *arguments])
    finally:
        os.chdir(previous)
    return read_catalog(output)


def test_every_chinese_message_is_translated_and_not_fuzzy():
    catalog = read_catalog(PO)
    untranslated = []
    fuzzy = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            untranslated.append(message.id)
        if message.fuzzy:
            fuzzy.append(message.id)
    assert not untranslated, f"{len(untranslated)} untranslated in {PO.name}: {untranslated[:20]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy in {PO.name}: {fuzzy[:20]}"


def test_chinese_translations_keep_the_placeholders_of_the_english():
    catalog = read_catalog(PO)
    problems = [(message.id, [str(error) for error in errors]) for message, errors in catalog.check()]
    assert not problems, problems[:20]


def test_the_template_on_disk_has_every_string_the_code_uses(fresh_extraction):
    missing = msgids(fresh_extraction) - msgids(read_catalog(POT))
    assert not missing, (
        f"run `make extract-messages`: {len(missing)} new strings, e.g. {sorted(map(str, missing))[:20]}"
    )


def test_the_chinese_catalogue_has_every_string_the_code_uses(fresh_extraction):
    missing = msgids(fresh_extraction) - msgids(read_catalog(PO))
    assert not missing, f"run `make extract-messages` and translate: {sorted(map(str, missing))[:20]}"


def test_strings_in_partial_templates_are_extracted(fresh_extraction):
    # Babel skips folders whose names start with "_" unless told otherwise; the partials hold
    # many strings (market results, trade forms), so losing them would go unnoticed.
    partials = {
        location
        for message in fresh_extraction
        for location, _line in message.locations
        if "/_partials/" in location.replace("\\", "/")
    }
    assert partials, "nothing was extracted from templates/*/_partials/"


def test_a_page_in_chinese_shows_the_translations(client, db):
    page = client.get("/market", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).get_data(as_text=True)
    assert '<html lang="zh-Hans"' in page
    assert "市场" in page and "登录" in page and "注册" in page
    assert ">Log in<" not in page and ">Sign up<" not in page
