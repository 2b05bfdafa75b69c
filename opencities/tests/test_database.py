import pytest
from django.db import connection


@pytest.mark.postgres
@pytest.mark.django_db
def test_ci_runs_against_postgresql():
    """CI points DATABASE_URL at PostgreSQL; this fails there if the suite fell back to SQLite."""
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        assert int(cursor.fetchone()[0]) >= 130000
