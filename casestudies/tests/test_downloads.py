"""The downloads page, its files, and uploading publications through the admin."""

import datetime
import io
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from reportlab.pdfgen import canvas

from casestudies import brief
from casestudies.models import Publication

pytestmark = pytest.mark.django_db

ADD_URL = "admin:casestudies_publication_add"


def small_pdf(text="A policy paper") -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 720, text)
    page.showPage()
    page.save()
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def publication(slug, *, is_public=True, kind=Publication.Kind.RESEARCH, **fields):
    item = Publication(
        title=fields.pop("title", slug.replace("-", " ").capitalize()),
        slug=slug,
        kind=kind,
        is_public=is_public,
        published_on=fields.pop("published_on", datetime.date(2025, 3, 14)),
        **fields,
    )
    item.file.save(f"{slug}.pdf", ContentFile(small_pdf(item.title)), save=False)
    item.save()
    return item


def page_text(response) -> str:
    # filesizeformat keeps "20.0 MB" together with a no-break space; a reader sees an ordinary space.
    return response.content.decode().replace("\xa0", " ")


def download(response) -> bytes:
    try:
        return b"".join(response.streaming_content)
    finally:
        response.close()


# --- The downloads page ---


def test_anyone_can_open_the_downloads_page_and_find_the_brief(client):
    response = client.get(reverse("casestudies:downloads"))
    assert response.status_code == 200
    html = page_text(response)
    pages, _size = brief.research_brief_facts()
    assert reverse("casestudies:brief") in html
    assert f"Download the research brief (PDF, {pages} pages," in html
    assert "Internationalisation of cities" in html


def test_the_page_lists_public_publications_by_section_and_not_hidden_ones(client):
    publication("city-talent-policy", title="Keeping graduates: a policy note", kind=Publication.Kind.POLICY)
    publication("welcome-centres-study", title="Welcome centres in Europe", summary="What twelve centres do.")
    publication("draft-study", title="A draft nobody should see", is_public=False)

    html = page_text(client.get(reverse("casestudies:downloads")))

    policy, research = html.split('id="research-title"')
    assert "Keeping graduates: a policy note" in policy
    assert "Welcome centres in Europe" in research
    assert "What twelve centres do." in research
    assert "14 March 2025" in research
    assert reverse("casestudies:publication", kwargs={"slug": "welcome-centres-study"}) in html
    assert "Download “Welcome centres in Europe” (PDF," in html
    assert "A draft nobody should see" not in html
    assert "draft-study" not in html


def test_an_empty_section_says_so(client):
    publication("welcome-centres-study")
    html = page_text(client.get(reverse("casestudies:downloads")))
    assert "No policy recommendations have been published yet." in html
    assert "No research has been published yet." not in html


def test_the_page_uses_no_inline_styles_or_scripts_that_the_csp_blocks(client):
    publication("welcome-centres-study")
    html = page_text(client.get(reverse("casestudies:downloads")))
    assert " style=" not in html
    assert "<script>" not in html


def test_a_publication_whose_file_is_missing_does_not_break_the_page(client, media):
    item = publication("lost-file-study", title="A study whose file was lost")
    Path(item.file.path).unlink()
    response = client.get(reverse("casestudies:downloads"))
    assert response.status_code == 200
    assert "A study whose file was lost" in page_text(response)
    assert "cannot be downloaded at the moment" in page_text(response)


# --- The research brief ---


def test_the_research_brief_downloads_as_a_pdf_attachment(client):
    response = client.get(reverse("casestudies:brief"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="opencities-research-brief.pdf"'
    assert response.content.startswith(b"%PDF-")


# --- A publication's file ---


def test_a_public_publication_downloads_for_anyone(client):
    item = publication("welcome-centres-study")
    response = client.get(item.get_absolute_url())
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="welcome-centres-study.pdf"'
    assert download(response).startswith(b"%PDF-")


def test_a_hidden_publication_is_not_found_for_anonymous_visitors(client):
    item = publication("draft-study", is_public=False)
    assert client.get(item.get_absolute_url()).status_code == 404


def test_a_hidden_publication_is_not_found_for_a_city_lead(client, lead):
    item = publication("draft-study", is_public=False)
    client.force_login(lead)
    assert client.get(item.get_absolute_url()).status_code == 404


def test_an_editor_can_download_a_hidden_publication(client, editor):
    item = publication("draft-study", is_public=False)
    client.force_login(editor)
    response = client.get(item.get_absolute_url())
    assert response.status_code == 200
    assert download(response).startswith(b"%PDF-")


def test_an_unknown_publication_is_not_found(client):
    assert client.get(reverse("casestudies:publication", kwargs={"slug": "no-such-paper"})).status_code == 404


def test_a_file_missing_on_disk_gives_not_found_rather_than_an_error(client):
    item = publication("lost-file-study")
    Path(item.file.path).unlink()
    assert client.get(item.get_absolute_url()).status_code == 404


# --- Uploading through the admin ---


def post_upload(client, upload, **fields):
    data = {
        "title_en": "Open cities and their newcomers",
        "slug": "open-cities-newcomers",
        "summary_en": "A study of welcome services.",
        "kind": Publication.Kind.RESEARCH,
        "published_on": "2025-06-01",
        "file": upload,
        "_save": "Save",
        **fields,
    }
    return client.post(reverse(ADD_URL), data)


def test_an_editor_uploads_a_real_pdf(client, editor, media):
    client.force_login(editor)
    response = post_upload(client, SimpleUploadedFile("newcomers.pdf", small_pdf(), "application/pdf"))

    assert response.status_code == 302, page_text(response)
    item = Publication.objects.get(slug="open-cities-newcomers")
    assert Path(item.file.path).is_relative_to(media)
    assert Path(item.file.path).read_bytes().startswith(b"%PDF-")
    assert not item.is_public


def test_a_text_file_named_like_a_pdf_is_refused(client, editor):
    client.force_login(editor)
    response = post_upload(client, SimpleUploadedFile("report.pdf", b"Minutes of the meeting\n", "application/pdf"))

    assert response.status_code == 200
    assert "not a PDF" in page_text(response)
    assert not Publication.objects.exists()


def test_a_file_over_the_20_mb_limit_is_refused(client, editor):
    client.force_login(editor)
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * (21 * 1024 * 1024), "application/pdf")
    response = post_upload(client, big)

    assert response.status_code == 200
    assert "at most 20.0 MB" in page_text(response)
    assert not Publication.objects.exists()


def test_editors_make_publications_public_and_hide_them_in_bulk(client, editor):
    first = publication("first-study", is_public=False)
    second = publication("second-study", is_public=False)
    already = publication("third-study", is_public=True)
    client.force_login(editor)
    changelist = reverse("admin:casestudies_publication_changelist")

    response = client.post(
        changelist, {"action": "make_public", "_selected_action": [first.pk, second.pk, already.pk]}, follow=True
    )
    assert "2 publications are now on the downloads page." in page_text(response)
    assert Publication.objects.filter(is_public=True).count() == 3

    response = client.post(changelist, {"action": "hide", "_selected_action": [first.pk]}, follow=True)
    assert "1 publication is now hidden from the downloads page." in page_text(response)
    assert "First study" not in page_text(client.get(reverse("casestudies:downloads")))


# --- Hostile uploads ---


def polyglot() -> bytes:
    """An HTML page with a whole PDF inside a comment: a browser shows the page, a lenient PDF reader the PDF."""
    return b"<html><body><script>alert(document.cookie)</script><!--\n" + small_pdf() + b"\n--></body></html>\n"


def test_an_html_page_with_a_pdf_inside_is_refused(client, editor):
    client.force_login(editor)
    response = post_upload(client, SimpleUploadedFile("paper.pdf", polyglot(), "application/pdf"))
    assert response.status_code == 200
    assert "not a PDF" in page_text(response)
    assert not Publication.objects.exists()


def test_an_upload_is_stored_as_a_pdf_whatever_its_name(client, editor, media):
    client.force_login(editor)
    response = post_upload(client, SimpleUploadedFile("paper.html", small_pdf(), "text/html"))
    assert response.status_code == 302, page_text(response)
    item = Publication.objects.get(slug="open-cities-newcomers")
    assert Path(item.file.name).suffix == ".pdf"


def test_a_publication_is_served_as_a_pdf_attachment_the_browser_may_not_sniff(client):
    item = publication("welcome-centres-study")
    response = client.get(item.get_absolute_url())
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == 'attachment; filename="welcome-centres-study.pdf"'
    assert download(response).startswith(b"%PDF-")


def test_a_stored_file_that_is_not_a_pdf_is_never_served(client, media):
    # Uploaded before the check was strict: the file is kept for the editors, but nobody downloads it.
    item = publication("old-upload")
    Path(item.file.path).write_bytes(polyglot())
    response = client.get(item.get_absolute_url())
    assert response.status_code == 404
