"""The general recommendations, for everyone: the page and its PDF."""

from django.http import FileResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from .. import general


@require_safe
def general_recommendations(request):
    return render(request, "recommendations/general.html", {"themes": general.themes()})


@require_safe
def general_recommendations_pdf(request):
    return FileResponse(
        general.pdf_bytes(),
        as_attachment=True,
        filename="opencities-policy-recommendations.pdf",
        content_type="application/pdf",
    )
