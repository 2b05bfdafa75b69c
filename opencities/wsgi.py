import os

from django.core.wsgi import get_wsgi_application

from opencities.database import limit_statements_of_web_requests

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opencities.settings")

application = get_wsgi_application()
# Web requests only: a statement that runs longer fails its request, well before gunicorn would kill the worker.
limit_statements_of_web_requests()
