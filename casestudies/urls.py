from django.urls import path

from .views import downloads, library

app_name = "casestudies"

urlpatterns = [
    path("case-studies/", library.library, name="library"),
    path("case-studies/<slug:slug>/", library.detail, name="detail"),
    path("downloads/", downloads.downloads, name="downloads"),
    path("downloads/research-brief.pdf", downloads.research_brief, name="brief"),
    path("downloads/<slug:slug>.pdf", downloads.publication, name="publication"),
]
