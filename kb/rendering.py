"""An article's Markdown as HTML: rendered on the server with raw HTML off
(typed tags show as text) and sanitised with nh3 to a small set of tags,
links only to http(s) and mail addresses — stricter than the mailbox's
policy for received HTML: no images, no styles."""

import difflib

import nh3
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "code", "pre",
    "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def render_markdown(text: str) -> SafeString:
    html = _markdown.render(text or "")
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(cleaned)  # noqa: S308 - sanitised by nh3 above


def revision_diff(old: str, new: str, *, old_label: str, new_label: str) -> SafeString:
    """The two texts side by side, line by line; difflib escapes their
    content, and the labels are escaped here."""
    table = difflib.HtmlDiff(wrapcolumn=70).make_table(
        (old or "").splitlines(),
        (new or "").splitlines(),
        fromdesc=escape(old_label),
        todesc=escape(new_label),
        context=True,
        numlines=2,
    )
    return mark_safe(table)  # noqa: S308 - difflib escapes the lines, labels escaped above
