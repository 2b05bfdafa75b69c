"""Markdown from editors, rendered and then sanitised wherever it is shown (the admin preview and the PDFs too)."""

import markdown as markdown_library
import nh3
from django.utils.safestring import SafeString, mark_safe

# What the editors' Markdown produces; anything else (script, style, iframes, images, raw HTML) is dropped.
ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "code", "pre", "blockquote",
    "ul", "ol", "li", "h3", "h4", "h5", "h6", "a",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
# No javascript:, data: or vbscript: links.
URL_SCHEMES = {"http", "https", "mailto"}


def clean_markdown_html(text: str) -> str:
    """Editors' Markdown parsed and sanitised: the one HTML that both the pages and the PDFs start from.

    Headings start at h3 (a page owns h1 and h2); links open as normal links.
    """
    html = markdown_library.markdown(text or "", extensions=["sane_lists", "tables"], output_format="html")
    html = html.replace("<h1>", "<h3>").replace("</h1>", "</h3>").replace("<h2>", "<h4>").replace("</h2>", "</h4>")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def render_markdown(text: str) -> SafeString:
    """Editors' Markdown as safe HTML for a page."""
    return mark_safe(clean_markdown_html(text))  # noqa: S308 - nh3 has just removed everything outside the allow-lists
