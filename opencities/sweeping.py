"""Without a broker (the embedded default) no beat runs the sweepers: they run after a request now and then.

What a failed in-process send or a lost report left for the sweeper would otherwise wait forever under
`make run`. The run comes after the response has gone (request_finished), at most once per SWEEPER_EVERY seconds
per process.
"""

import logging
import threading
import time

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_last_run = -float("inf")


def sweep_now_and_then(**kwargs) -> bool:
    """Run every sweeper of SWEEPERS if SWEEP_ON_REQUESTS is on and the last run is SWEEPER_EVERY seconds old."""
    global _last_run
    if not settings.SWEEP_ON_REQUESTS:
        return False
    with _lock:
        now = time.monotonic()
        if now - _last_run < settings.SWEEPER_EVERY:
            return False
        _last_run = now
    for path in settings.SWEEPERS:
        try:
            import_string(path)()
        except Exception:
            logger.exception("The sweeper %s failed; it runs again after a later request", path)
    return True
