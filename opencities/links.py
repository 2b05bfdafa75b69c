"""Links to the site for emails and PDFs, which leave the request behind: built on SITE_URL."""

from django.conf import settings


def absolute_url(path: str) -> str:
    """The site's address followed by the path (which starts with a slash)."""
    return settings.SITE_URL.rstrip("/") + path
