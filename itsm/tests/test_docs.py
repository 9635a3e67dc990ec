"""The README is the front page and docs/ the reference: every page is reached
from the README, every relative link lands on a file (and heading) that
exists, and every variable the settings read is in the configuration page."""

import re
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.glob("*.md"))
# [text](target) outside code spans; external links and mail addresses are skipped.
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
ENV_READ = re.compile(r'env_(?:str|int|bool|list)\(\s*"([A-Z][A-Z0-9_]+)"')


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to dashes."""
    text = heading.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def _anchors(page: Path) -> set[str]:
    anchors, fenced = set(), False
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif not fenced and line.startswith("#"):
            anchors.add(_slug(line.lstrip("#")))
    return anchors


def _links(page: Path) -> list[str]:
    text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.S)
    text = re.sub(r"`[^`\n]*`", "", text)
    return [t for t in LINK.findall(text) if not re.match(r"^[a-z]+:", t)]


def test_there_are_reference_pages():
    assert len(PAGES) >= 5


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_reference_page_is_linked_from_the_readme(page):
    assert f"docs/{page.name}" in _links(ROOT / "README.md")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_reference_page_opens_with_a_title_and_a_one_line_purpose(page):
    lines = page.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# ")
    assert lines[1] == ""
    assert lines[2].strip() and not lines[2].startswith(("#", "-", "|", "`"))
    assert lines[3] == ""


@pytest.mark.parametrize("page", [ROOT / "README.md", *PAGES], ids=lambda p: p.name)
def test_relative_links_land_on_a_file_and_heading_that_exist(page):
    for target in _links(page):
        path, _, anchor = target.partition("#")
        linked = (page.parent / path).resolve() if path else page
        assert linked.is_file(), f"{page.name}: {target}"
        if anchor and linked.suffix == ".md":
            assert anchor in _anchors(linked), f"{page.name}: {target}"


def test_every_variable_the_settings_read_is_in_the_configuration_page():
    read = {
        name
        for module in ("settings.py", "settings_worker.py")
        for name in ENV_READ.findall((ROOT / "itsm" / module).read_text(encoding="utf-8"))
    }
    documented = set(
        re.findall(r"`([A-Z][A-Z0-9_]+)`", (DOCS / "configuration.md").read_text(encoding="utf-8"))
    )

    assert len(read) > 40
    assert read - documented == set()


SKIPPED_DIRECTORIES = {".venv", ".git", "var", "node_modules", "vendor", "__pycache__"}


def test_no_file_keeps_merge_markers():
    """A merge resolved by hand must not leave its markers behind."""
    root = Path(settings.BASE_DIR)
    markers = re.compile(r"^(<{7} |>{7} |={7}$)", re.M)
    kept = [
        str(path.relative_to(root))
        for path in root.rglob("*")
        if path.suffix in {".md", ".py", ".html", ".po", ".txt", ".ini", ".js", ".css"}
        and not SKIPPED_DIRECTORIES & set(path.relative_to(root).parts)
        and path.is_file()
        and markers.search(path.read_text(encoding="utf-8", errors="replace"))
    ]
    assert not kept
