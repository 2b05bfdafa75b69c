"""Limits on guessing and flooding: who the client is, and how often it may do a thing.

The reasons and the numbers: docs/architecture.md, Limits on guessing and flooding. django-axes locks an
account after wrong passwords (settings AXES_*); the limits here count in the shared cache with django-ratelimit.
"""

import ipaddress
import logging
from dataclasses import dataclass

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver
from django_ratelimit.core import get_usage
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


def client_address(*, remote_addr: str, forwarded_for: str, trusted_proxies: int) -> str:
    """The client's address: the peer's, or behind trusted proxies the one the outermost of them saw.

    Each proxy appends the address it saw to X-Forwarded-For, so only the last `trusted_proxies` entries are
    theirs; whatever stands further left the client wrote itself.
    """
    if trusted_proxies <= 0:
        return remote_addr
    chain = [entry.strip() for entry in forwarded_for.split(",") if entry.strip()]
    if len(chain) < trusted_proxies:
        return remote_addr
    candidate = chain[-trusted_proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote_addr


def client_ip(request) -> str:
    """The client's address of a request, for django-axes and the limits alike (AXES_CLIENT_IP_CALLABLE,
    RATELIMIT_IP_META_KEY)."""
    return client_address(
        remote_addr=request.META.get("REMOTE_ADDR", ""),
        forwarded_for=request.META.get("HTTP_X_FORWARDED_FOR", ""),
        trusted_proxies=settings.TRUSTED_PROXY_COUNT,
    )


@dataclass(frozen=True)
class Limit:
    """A limit of so many events per period; its rate ("20/h") is read from the setting of the same name."""

    name: str

    @property
    def rate(self) -> str:
        return getattr(settings, self.name)


LOGIN_FAILURES_PER_ADDRESS = Limit("LOGIN_FAILURES_PER_ADDRESS")
PASSWORD_RESETS_PER_EMAIL = Limit("PASSWORD_RESETS_PER_EMAIL")
PASSWORD_RESETS_PER_ADDRESS = Limit("PASSWORD_RESETS_PER_ADDRESS")
ACCESS_REQUESTS_PER_ADDRESS = Limit("ACCESS_REQUESTS_PER_ADDRESS")


def _usage(limit: Limit, request, *, key, increment: bool) -> dict | None:
    try:
        return get_usage(request, group=limit.name, key=key, rate=limit.rate, increment=increment)
    except (RedisError, OSError):
        # A cache that cannot count lets the request through (RATELIMIT_FAIL_OPEN says the same for a lost
        # count): the account lockout is kept in the database and still holds.
        logger.warning("The cache could not count %s; the request goes through unlimited.", limit.name)
        return None


def limit_count(limit: Limit, request, *, key: str | None = None) -> bool:
    """Count one event against the limit, per `key` (default: the client's address); True when it goes over."""
    usage = _usage(limit, request, key=_key(key), increment=True)
    return usage is not None and usage["should_limit"]


def limit_reached(limit: Limit, request, *, key: str | None = None) -> bool:
    """True when the events counted so far have used up the limit, without counting one more."""
    usage = _usage(limit, request, key=_key(key), increment=False)
    return usage is not None and usage["count"] >= usage["limit"]


def _key(value: str | None):
    # django-ratelimit's "ip" reads client_ip (RATELIMIT_IP_META_KEY) and counts an IPv6 client by its /64
    # network, which one client usually holds whole.
    if value is None:
        return "ip"
    return lambda _group, _request: value


@receiver(user_login_failed, dispatch_uid="opencities.throttling.login_failure_counted")
def login_failure_counted(sender, credentials, request=None, **kwargs):
    """Every failed login, on the site or in the admin, counts against its address."""
    if request is not None:
        limit_count(LOGIN_FAILURES_PER_ADDRESS, request)


def account_lockout_clear(*, user) -> None:
    """A new password ends the account's lockout: whoever set it proved to be the owner."""
    axes_reset(username=user.get_username())
