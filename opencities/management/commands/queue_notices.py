from django.core.management.base import BaseCommand

from opencities import notices


class Command(BaseCommand):
    help = "The outbox's sweeper: queue the emails whose queueing failed, or whose task was lost."

    def handle(self, *args, **options):
        swept = notices.notices_sweep()
        self.stdout.write(f"Queued: {swept.queued} email(s); marked failed after a lost worker: {swept.interrupted}.")
