"""`make load`: a Locust load test against gunicorn and a Celery worker on a fresh database (see bench/README.md)."""
