"""Editors' Markdown is rendered and sanitised wherever it is shown."""

import pytest

from opencities.markdown import render_markdown


@pytest.mark.parametrize(
    ("markdown", "forbidden"),
    [
        ("<script>alert('x')</script>Hello", "<script"),
        ("<img src=x onerror=alert(1)>", "onerror"),
        ('<a href="#" onclick="steal()">link</a>', "onclick"),
        ("[click](javascript:alert(1))", "javascript:"),
        ("[click](JaVaScRiPt:alert(1))", "javascript"),
        ("[data](data:text/html;base64,PHNjcmlwdD4=)", "data:"),
        ('<iframe src="https://evil.example"></iframe>', "<iframe"),
        ("<style>body{display:none}</style>", "<style"),
        ('<p style="position:fixed">x</p>', "style="),
    ],
)
def test_dangerous_markup_never_reaches_the_page(markdown, forbidden):
    assert forbidden.lower() not in render_markdown(markdown).lower()


def test_ordinary_markdown_keeps_its_meaning():
    html = render_markdown("# Heading\n\nSome **bold** text and [a source](https://example.org).\n\n- one\n- two")
    assert "<h3>Heading</h3>" in html  # the page owns h1 and h2
    assert "<strong>bold</strong>" in html
    assert '<a href="https://example.org" rel="noopener noreferrer nofollow">a source</a>' in html
    assert "<li>one</li>" in html


def test_text_that_looks_like_markup_is_shown_as_text():
    assert render_markdown("Budget < 5 & rising") == "<p>Budget &lt; 5 &amp; rising</p>"
