from django.core.management.base import BaseCommand

from recommendations import services


class Command(BaseCommand):
    help = "The sweeper: queue again reports and deliveries whose task was lost (broker down, worker killed)."

    def handle(self, *args, **options):
        swept = services.queue_reports()
        self.stdout.write(f"Queued again: {swept.reports} report(s), {swept.deliveries} delivery(ies).")
