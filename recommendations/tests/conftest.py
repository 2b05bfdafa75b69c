# The fixtures that start real processes (Redis, an SMTP server, a Celery worker), for the tests that need them.
from .processes import (  # noqa: F401
    celery_via_redis,
    demo_data,
    media_root,
    process_logs,
    redis_server,
    smtp_server,
    start_worker,
)
