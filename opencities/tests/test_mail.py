"""Names that go into an email's headers are one plain line, however they were typed."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.mail import EmailMessage

from opencities.mail import header_text, subject_render

# Template name → its file, for every app's email subjects.
SUBJECT_TEMPLATES = {
    str(path.relative_to(path.parents[2])): path
    for path in sorted(Path(settings.BASE_DIR).glob("*/templates/*/email/*_subject.txt"))
}


@pytest.mark.parametrize(
    ("typed", "header"),
    [
        ("Zürich", "Zürich"),
        ("Łódź\r\nBcc: someone@evil.test", "Łódź Bcc: someone@evil.test"),
        ("  Saint-Jean\n\n du Port\t", "Saint-Jean du Port"),
        ("A\x00B\x1bC\x7fD", "A B C D"),
        ("Line\u2028separator\u2029paragraph\x85next", "Line separator paragraph next"),
        ('Rock & "Roll"', 'Rock & "Roll"'),
        ("", ""),
    ],
)
def test_header_text_is_one_line_without_control_characters(typed, header):
    assert header_text(typed) == header


def test_the_subject_templates_are_found():
    assert "assessments/email/invitation_subject.txt" in SUBJECT_TEMPLATES
    assert "recommendations/email/report_subject.txt" in SUBJECT_TEMPLATES


@pytest.mark.parametrize("template", SUBJECT_TEMPLATES)
def test_every_subject_is_plain_text_on_one_line(template):
    city = {"name": 'Rock & "Roll"\r\nBcc: someone@evil.test'}
    subject = subject_render(template, {"city": city, "assessment": {"year": 2026}})
    assert "&amp;" not in subject and "&quot;" not in subject
    assert "\n" not in subject and "\r" not in subject
    if "city.name" in SUBJECT_TEMPLATES[template].read_text():
        assert 'Rock & "Roll" Bcc: someone@evil.test' in subject
    EmailMessage(subject, "body", to=["a@b.test"]).message()  # no BadHeaderError
