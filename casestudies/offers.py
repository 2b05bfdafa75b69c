"""Generated PDFs that other apps offer on the downloads page, so that this app lists them without importing those
apps (recommendations registers its general recommendations in its AppConfig.ready; see docs/architecture.md,
Layers)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class OfferedDocument:
    section: str  # the downloads page's section: "policy" or "research"
    title: str
    description: str
    url: str
    pages: int
    size: int  # in bytes
    dated: date  # the day its content last changed


_providers: list[Callable[[], OfferedDocument | None]] = []


def offer(provider: Callable[[], OfferedDocument | None]) -> None:
    """Register a function that returns the document to list, or None while there is nothing to offer."""
    if provider not in _providers:
        _providers.append(provider)


def offered(section: str) -> list[OfferedDocument]:
    documents = (provider() for provider in _providers)
    return [document for document in documents if document is not None and document.section == section]
