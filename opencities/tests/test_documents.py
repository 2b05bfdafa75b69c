"""The one converter from editors' Markdown to reportlab: what a page shows, set in the PDF's own markup only."""

import io
import re

import pytest
from pypdf import PdfReader
from reportlab.platypus import Paragraph

from opencities.documents import build_document, house_styles, markdown_flowables, markdown_inline

LINK = 'color="#1d4f91"'
# The only tags the converter may hand to reportlab.
OUR_TAGS = {"b", "i", "br", "link"}


def converted(markdown: str, **options) -> list[tuple[str, str | None]]:
    """Each flowable as (its markup, its bullet)."""
    flowables = markdown_flowables(markdown, house_styles(), **options)
    assert all(isinstance(flowable, Paragraph) for flowable in flowables)
    return [(flowable.text, flowable.bulletText) for flowable in flowables]


def printed(markdown: str) -> str:
    document = build_document(
        markdown_flowables(markdown, house_styles()), title="t", subject="s", footer="f", footer_on_first_page=False
    )
    reader = PdfReader(io.BytesIO(document.content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ("Start **small**, then grow.", [("Start <b>small</b>, then grow.", None)]),
        ("An *idea* worth __keeping__.", [("An <i>idea</i> worth <b>keeping</b>.", None)]),
        (
            "See [the guide](https://e.example/g?a=1&b=2).",
            [
                (
                    f'See the guide (<link href="https://e.example/g?a=1&amp;b=2" {LINK}>'
                    "https://e.example/g?a=1&amp;b=2</link>).",
                    None,
                )
            ],
        ),
        ("<https://e.example/>", [(f'<link href="https://e.example/" {LINK}>https://e.example/</link>', None)]),
        ("- Name a lead\n- Find **a building**", [("Name a lead", "•"), ("Find <b>a building</b>", "•")]),
        ("3. First step\n4. Second step", [("First step", "1."), ("Second step", "2.")]),
        ("One paragraph.\n\nAnother\nover two lines.", [("One paragraph.", None), ("Another over two lines.", None)]),
        ("# A heading\n\nText.", [("<b>A heading</b>", None), ("Text.", None)]),
        ("Budget < 5 & rising", [("Budget &lt; 5 &amp; rising", None)]),
        ("- Loose\n\n- items", [("Loose", "•"), ("items", "•")]),
    ],
)
def test_markdown_becomes_our_own_markup(markdown, expected):
    assert converted(markdown) == expected


def test_a_list_inside_a_list_is_indented_one_step_further():
    (outer, inner) = markdown_flowables("- outer\n    - inner", house_styles())
    assert (outer.text, inner.text) == ("outer", "inner")
    assert inner.style.leftIndent > outer.style.leftIndent


def test_as_bullets_makes_every_plain_paragraph_a_bullet():
    assert converted("Translate them\n\nKeep them current", as_bullets=True) == [
        ("Translate them", "•"),
        ("Keep them current", "•"),
    ]


def test_inline_markdown_is_one_line_of_markup():
    assert markdown_inline("**One choice.** Each & every [one](https://e.example).") == (
        f'<b>One choice.</b> Each &amp; every one (<link href="https://e.example" {LINK}>https://e.example</link>).'
    )


@pytest.mark.parametrize(
    ("markdown", "never"),
    [
        ("<script>alert('x')</script>Hello", "alert"),
        ('<font size=40 color="red">big</font> text', "<font"),
        ("<para>inside</para>", "<para"),
        ('<img src="x" onerror="alert(1)"/>', "<img"),
        ("[click](javascript:alert(1))", "javascript"),
        ("[data](data:text/html;base64,PHNjcmlwdD4=)", "data:"),
        ('<link href="javascript:alert(1)">y</link>', "javascript"),
        ('<a href="https://e.example" onclick="steal()">x</a>', "onclick"),
        ("<b>raw</b> <u>tags</u> <i>are</i> <strike>dropped</strike>", "<u>"),
        ("**bold [inside](http://a.example/**z**)**", 'href="http://a.example/<'),
        ("<style>p{}</style>plain", "p{}"),
    ],
)
def test_editor_markup_is_escaped_or_dropped_never_rendered(markdown, never):
    markups = [markup for markup, _bullet in converted(markdown)]
    for markup in markups:
        assert set(re.findall(r"</?\s*([a-zA-Z]+)", markup)) <= OUR_TAGS, markup
        assert all(href.startswith("http") for href in re.findall(r'href="([^"]*)"', markup)), markup
        assert never.lower() not in markup.lower()
    assert never.lower() not in printed(markdown).lower()


def test_control_characters_and_an_empty_text_give_no_error():
    assert converted("") == []
    assert converted("a\x00b\x1fc") == [("abc", None)]
