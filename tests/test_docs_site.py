"""The documentation site's shape, checked quickly: ``make docs`` builds it strictly (in CI
too), and these say which page or link is wrong without a build."""

import re

import yaml

from tests.doc_pages import DOCS, ROOT, read


def nav_pages(entries):
    """The page paths of mkdocs.yml's ``nav``, in order, sections flattened."""
    for entry in entries:
        if isinstance(entry, str):
            yield entry
            continue
        for value in entry.values():
            if isinstance(value, str):
                yield value
            else:
                yield from nav_pages(value)


def test_the_nav_names_every_page_once_and_no_missing_one():
    listed = list(nav_pages(yaml.safe_load(read("mkdocs.yml"))["nav"]))
    pages = {path.relative_to(DOCS).as_posix() for path in DOCS.rglob("*.md")}
    assert sorted(set(pages) - set(listed)) == [], "pages missing from the nav"
    assert sorted(set(listed) - pages) == [], "nav entries naming no page"
    assert len(listed) == len(set(listed)), "a page listed twice"


def test_the_readme_links_the_documentation_and_only_files_that_exist():
    """The README is also PyPI's long description: it points at the site's home, and every
    relative link (or image) it has names a file of the repository."""
    links = re.findall(r"\]\(([^)\s]+)\)", read("README.md"))
    assert "docs/index.md" in links
    for link in links:
        if not link.startswith(("http://", "https://", "#")):
            assert (ROOT / link.split("#")[0]).is_file(), link
