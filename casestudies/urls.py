from django.urls import path

from . import download_views, views

app_name = "casestudies"

urlpatterns = [
    path("case-studies/", views.library, name="library"),
    path("case-studies/<slug:slug>/", views.detail, name="detail"),
    path("downloads/", download_views.downloads, name="downloads"),
    path("downloads/research-brief.pdf", download_views.research_brief, name="brief"),
    path("downloads/<slug:slug>.pdf", download_views.publication, name="publication"),
]
