"""Keeps every city's latest assessment for the peer groups in memory until the data behind it changes.

A compare page reads every other city's latest assessment with its scores: a thousand rows to read and
convert, the same for every city and every request until someone submits, publishes, reopens, overrides a
type or edits a city. So each web process keeps the converted rows, keyed by a token kept in the database
(`PeerDataVersion`) that every such write replaces in the same transaction: one indexed read per request
tells whether the rows are still right, in every process at once, and a rolled-back write rolls back its
token with it.

Writes through model saves change the token by signal (see `apps.py`); bulk writes and `update()` calls,
which send no signals, call `changed()` themselves.
"""

import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable

from django.db.models.signals import post_delete, post_save

from .models import Assessment, AssessmentResult, City, PeerDataVersion

SINGLETON = 1
# A handful of keys in use at once: one per questionnaire major, comparison year and demo setting.
KEPT = 16

_rows: OrderedDict = OrderedDict()
_lock = threading.Lock()


def changed() -> None:
    """Mark every process's kept rows as out of date (within the caller's transaction)."""
    updated = PeerDataVersion.objects.filter(pk=SINGLETON).update(token=uuid.uuid4())
    if not updated:
        PeerDataVersion.objects.get_or_create(pk=SINGLETON)


def current_token() -> uuid.UUID:
    token = PeerDataVersion.objects.filter(pk=SINGLETON).values_list("token", flat=True).first()
    if token is None:
        token = PeerDataVersion.objects.get_or_create(pk=SINGLETON)[0].token
    return token


def rows(key: Hashable, load: Callable[[], list]) -> list:
    """The rows kept for `key` while the token is unchanged, else `load()`'s, kept. Callers must not change them."""
    token = current_token()
    with _lock:
        kept = _rows.get(key)
        if kept is not None and kept[0] == token:
            _rows.move_to_end(key)
            return kept[1]
    loaded = load()
    with _lock:
        _rows[key] = (token, loaded)
        _rows.move_to_end(key)
        while len(_rows) > KEPT:
            _rows.popitem(last=False)
    return loaded


def forget() -> None:
    """Drop every kept row in this process (tests, whose rolled-back data may reuse a token)."""
    with _lock:
        _rows.clear()


def _city_or_result_saved_or_deleted(sender, **kwargs):
    changed()


def _assessment_saved_or_deleted(sender, instance, **kwargs):
    # Drafts are saved on every autosave and never join a peer group; reopening, which turns a submitted
    # assessment back into a draft, calls changed() itself.
    if instance.status == Assessment.Status.SUBMITTED:
        changed()


def connect_signals() -> None:
    for model, receiver in (
        (City, _city_or_result_saved_or_deleted),
        (AssessmentResult, _city_or_result_saved_or_deleted),
        (Assessment, _assessment_saved_or_deleted),
    ):
        post_save.connect(receiver, sender=model, dispatch_uid=f"peer-cache-{model.__name__}-save")
        post_delete.connect(receiver, sender=model, dispatch_uid=f"peer-cache-{model.__name__}-delete")
