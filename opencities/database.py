"""The statement timeout of web requests on PostgreSQL (see docs/architecture.md, "Time limits").

Only the WSGI process turns it on (opencities/wsgi.py): migrations, management commands, Celery workers and the
benchmarks' set-up may run long statements on purpose.
"""

from django.conf import settings
from django.db.backends.signals import connection_created


def limit_statements_of_web_requests() -> None:
    """Every new database connection of this process gets `DATABASE_STATEMENT_TIMEOUT_MS`."""
    connection_created.connect(_set_statement_timeout, dispatch_uid="opencities.web_statement_timeout")


def _set_statement_timeout(sender, connection, **kwargs) -> None:
    milliseconds = settings.DATABASE_STATEMENT_TIMEOUT_MS
    if connection.vendor != "postgresql" or not milliseconds:
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('statement_timeout', %s, false)", [f"{int(milliseconds)}ms"])
