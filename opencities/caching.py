"""What the platform caches, under which key, and which writes make an entry out of date.

Every entry lives in Django's cache (`settings.CACHES`: Redis when `REDIS_URL` is set, so that every process
shares it; local memory otherwise). An entry is never deleted to invalidate it: its key carries what makes it
right, so a change of data simply leads readers to a new key and the old entry ages out.

| entry | key carries | moved by |
|---|---|---|
| a questionnaire version's calibration | the source file's SHA-256 | nothing: a loaded version never changes |
| a version's structure, per language | id, digest, load time; translation file's time, size | an edited translation |
| each city's latest assessment (peer rows) | peer-data version, row shape | writes to cities, assessments, results |
| the active rule set | the rule-set version | writes to rules, their case studies, the themes |
| the general recommendations PDF | the rule-set version, the language, the release | the same, a release |
| the research brief | the language, the release | a release (its text is the code's) |
| the last worker ping of /healthz | the broker URL's digest | time: it expires after `HEALTHZ_WORKERS_EVERY` |

The peer-data version is a database row (`PeerDataVersion`) that each such write replaces inside its own
transaction: a rolled-back write rolls its version back too, a reader can never cache old rows under a committed
new version, and every process sees the change at once. Model saves and deletes move it by signal
(`connect_signals`); bulk writes and `update()` calls, which send none, call `peer_data_changed()`. The rule-set
version is read from the rules themselves (see `recommendations.selectors.rule_set_version`). See
docs/architecture.md, "Caching".
"""

import functools
import hashlib
import logging
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)
T = TypeVar("T")
_MISSING = object()
PEER_DATA_ROW = 1  # the one row of PeerDataVersion


def cached(key: str, load: Callable[[], T]) -> T:
    """The value kept under `key`, else `load()`'s, kept. Callers must not change what they get.

    Every entry can be made again from the database, so a cache that does not answer (Redis restarting, say)
    costs time, never a page or a report: the value is loaded and the fault logged.
    """
    try:
        value = cache.get(key, _MISSING)
    except (RedisError, OSError) as error:
        logger.warning("Cache unavailable, loading %s without it: %s", key, error)
        return load()
    if value is _MISSING:
        value = load()
        try:
            cache.set(key, value)
        except (RedisError, OSError) as error:
            logger.warning("Cache unavailable, %s not kept: %s", key, error)
    return value


def digest(value: object) -> str:
    """A short stable key part for a version made of plain values (numbers, strings, dates, tuples)."""
    return hashlib.sha256(repr(value).encode("utf-8")).hexdigest()[:24]


# --- The keys, one function per entry -------------------------------------------------------------------------


def calibration_key(source_sha256: str) -> str:
    return f"calibration:{source_sha256}"


def structure_key(version_pk: int, source_sha256: str, loaded_at, *, shape: tuple[str, ...], texts: str) -> str:
    """`texts`: the source language for the texts as stored, else the language with its translation file's time and
    size (a corrected file is read again; it is not part of the version). The shape too: a release that changes
    what a structure holds never reads an older release's structures."""
    return f"structure:{digest(shape)}:{version_pk}:{source_sha256}:{loaded_at.timestamp()}:{texts}"


def peer_rows_key(*, major: int, first_year: int, last_year: int, demo: bool, shape: tuple[str, ...]) -> str:
    # The rows' shape too: a release that changes what a row holds never reads an older release's rows.
    return f"peer-rows:{peer_data_version()}:{digest(shape)}:{major}:{first_year}:{last_year}:{int(demo)}"


def rule_set_key(rule_set_version: tuple) -> str:
    return f"rules:{digest(rule_set_version)}"


def general_pdf_key(rule_set_version: tuple, language: str) -> str:
    # The entry holds the PDF with its page count and date (recommendations.general.GeneralPdf); the bytes alone
    # were kept under "general-pdf:".
    return f"general-pdf-with-facts:{digest(rule_set_version)}:{language}:{release()}"


def publication_pages_key(file_name: str, size: int) -> str:
    """A publication's page count; a new upload has a new name or size, so the entry is never moved."""
    return f"publication-pages:{digest((file_name, size))}"


def research_brief_key(language: str) -> str:
    return f"research-brief:{language}:{release()}"


def healthz_workers_key(broker_url: str) -> str:
    """The last worker ping's result; an entry kept for a while, never moved (see opencities/health.py)."""
    return f"healthz-workers:{digest(broker_url)}"


def healthz_ping_turn_key(broker_url: str) -> str:
    """Held by the web process whose turn it is to ping the workers."""
    return f"healthz-ping-turn:{digest(broker_url)}"


@functools.cache
def release() -> str:
    """A digest of the code that writes generated documents, so a new release never serves an old document."""
    # Imported here: these modules read their cached entries through this one.
    from assessments import numbers
    from casestudies import brief
    from opencities import documents, method, vocabulary
    from recommendations import pdf

    # numbers: how every figure in them is written (18,5 in French).
    modules = (brief, documents, method, vocabulary, pdf, numbers)
    # The brief also prints the shipped questionnaire's calibration.
    sources = (*(Path(module.__file__).read_bytes() for module in modules), method.SHIPPED_QUESTIONNAIRE.read_bytes())
    return hashlib.sha256(b"".join(sources)).hexdigest()[:16]


# --- The peer-data version ------------------------------------------------------------------------------------


def peer_data_version() -> str:
    from assessments.models import PeerDataVersion

    token = PeerDataVersion.objects.filter(pk=PEER_DATA_ROW).values_list("token", flat=True).first()
    if token is None:
        token = PeerDataVersion.objects.get_or_create(pk=PEER_DATA_ROW)[0].token
    return token.hex


def peer_data_changed() -> None:
    """Move the peer-data version, within the caller's transaction (bulk writes and `update()` calls)."""
    from assessments.models import PeerDataVersion

    if not PeerDataVersion.objects.filter(pk=PEER_DATA_ROW).update(token=uuid.uuid4()):
        PeerDataVersion.objects.get_or_create(pk=PEER_DATA_ROW)


def _peer_data_saved_or_deleted(sender, **kwargs):
    peer_data_changed()


def _assessment_saved_or_deleted(sender, instance, **kwargs):
    # Drafts are saved on every autosave and never join a peer group; reopening, which turns a submitted
    # assessment back into a draft with update(), moves the version itself.
    if instance.status == instance.Status.SUBMITTED:
        peer_data_changed()


def connect_signals() -> None:
    """The model writes that move the peer-data version (called once, from the assessments app's ready())."""
    from assessments.models import Assessment, AssessmentResult, City

    for model, receiver in (
        (City, _peer_data_saved_or_deleted),
        (AssessmentResult, _peer_data_saved_or_deleted),
        (Assessment, _assessment_saved_or_deleted),
    ):
        post_save.connect(receiver, sender=model, dispatch_uid=f"peer-data-{model.__name__}-save")
        post_delete.connect(receiver, sender=model, dispatch_uid=f"peer-data-{model.__name__}-delete")
