"""The documentation stays true to the tree: README.md stays short, every relative link (and its
#anchor) leads somewhere, every function and test named in docs/rules-index.md exists, and every
setting config.py reads is described in docs/operations.md."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"
PAGES = sorted([README, ROOT / "CHANGELOG.md", ROOT / "bench" / "README.md", *DOCS.rglob("*.md")])

FENCE = re.compile(r"^```.*?^```", re.S | re.M)
INLINE_CODE = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"\[[^\]\n]*\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6} +(.+?) *#*$", re.M)


def _prose(text: str) -> str:
    """The page without code blocks and code spans, where brackets are not links."""
    return INLINE_CODE.sub("", FENCE.sub("", text))


def _slug(heading: str) -> str:
    """The anchor GitHub gives a heading: its text lower-cased, punctuation dropped, spaces → '-'."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).replace("`", "").strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


@cache
def _anchors(page: Path) -> frozenset[str]:
    seen: dict[str, int] = {}
    anchors = set()
    for heading in HEADING.findall(FENCE.sub("", page.read_text(encoding="utf-8"))):
        slug = _slug(heading)
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        anchors.add(slug if count == 0 else f"{slug}-{count}")
    return frozenset(anchors)


def _relative_links(page: Path) -> list[str]:
    return [
        target
        for target in LINK.findall(_prose(page.read_text(encoding="utf-8")))
        if not re.match(r"^[a-z][a-z0-9+.-]*:", target)  # http:, https:, mailto:
    ]


def test_the_readme_is_at_most_150_lines():
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 150, f"README.md has {len(lines)} lines; move detail into docs/"


def test_the_pages_are_found():
    names = {page.relative_to(ROOT).as_posix() for page in PAGES}
    assert {
        "README.md",
        "docs/architecture.md",
        "docs/rules-index.md",
        "docs/caching.md",
        "docs/operations.md",
        "docs/testing.md",
        "docs/README.md",
    } <= names
    assert len([name for name in names if name.startswith("docs/domains/")]) >= 15


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.relative_to(ROOT).as_posix())
def test_every_relative_link_leads_to_a_file_and_heading_that_exist(page: Path):
    broken = []
    for target in _relative_links(page):
        path, _, anchor = target.partition("#")
        destination = (page.parent / path).resolve() if path else page
        if not destination.exists():
            broken.append(f"{target}: no such file")
        elif anchor and destination.suffix == ".md" and anchor not in _anchors(destination):
            broken.append(f"{target}: no heading #{anchor} in {destination.relative_to(ROOT)}")
    assert not broken, f"{page.relative_to(ROOT)}: " + "; ".join(broken)


def test_the_link_checker_notices_a_missing_file_and_a_missing_heading(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("# Title\n\n## Some part\n\n[a](missing.md) [b](#some-part) [c](#nothing) `[d](x.md)`\n")
    assert _relative_links(page) == ["missing.md", "#some-part", "#nothing"]
    assert "some-part" in _anchors(page) and "nothing" not in _anchors(page)


# `app/x.py:function`, `app/x.py:Class.method`, `tests/x.py::test_name` inside code spans.
CODE_REFERENCE = re.compile(r"`((?:app|sms)/[\w/]+\.py):([A-Za-z_][\w.]*)`")
TEST_REFERENCE = re.compile(r"`(tests/[\w/]+\.py)::(test_\w+)`")


@cache
def _definitions(path: str) -> frozenset[str]:
    """Names defined in the module: top-level functions and classes, and Class.method."""
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        if isinstance(node, ast.ClassDef):
            names.update(
                f"{node.name}.{item.name}"
                for item in node.body
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
            )
    return frozenset(names)


def _missing(references: list[tuple[str, str]]) -> list[str]:
    return [
        f"{path}:{name}" for path, name in references if not (ROOT / path).is_file() or name not in _definitions(path)
    ]


def test_every_function_the_rules_index_names_exists():
    text = (DOCS / "rules-index.md").read_text(encoding="utf-8")
    references = CODE_REFERENCE.findall(text)
    assert len(references) >= 60
    assert not _missing(references)


def test_every_test_the_rules_index_names_exists():
    text = (DOCS / "rules-index.md").read_text(encoding="utf-8")
    references = TEST_REFERENCE.findall(text)
    assert len(references) >= 60
    assert not _missing(references)


def test_the_reference_checker_notices_a_renamed_function():
    assert _missing([("app/postings/stock.py", "take_stock")]) == []
    assert _missing([("app/postings/stock.py", "take_stocks"), ("app/trade/nothing.py", "x")]) == [
        "app/postings/stock.py:take_stocks",
        "app/trade/nothing.py:x",
    ]


def test_every_setting_config_reads_is_described_in_operations():
    source = (ROOT / "config.py").read_text(encoding="utf-8")
    settings = set(re.findall(r"""(?:_env\w*|os\.environ\.get)\(\s*["']([A-Z][A-Z0-9_]+)["']""", source))
    assert {"SECRET_KEY", "DATABASE_URL", "WEB_CONCURRENCY", "SMS_BUDGET_SITE_PER_DAY"} <= settings
    operations = (DOCS / "operations.md").read_text(encoding="utf-8")
    assert not sorted(name for name in settings if f"`{name}`" not in operations)
