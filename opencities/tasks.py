from celery import shared_task


@shared_task(name="opencities.ping")
def ping():
    """Answer "pong": lets /healthz and the tests prove that a worker takes tasks."""
    return "pong"
