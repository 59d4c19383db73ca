from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from apps.core.demo import DEMO_USERS, load_demo_data


class Command(BaseCommand):
    help = "Load the demo enterprise (a mining and processing plant) and one user per role. Idempotent."

    def handle(self, *args, **options):
        counts = load_demo_data(today=timezone.localdate())
        summary = ", ".join(f"{count} {name}" for name, count in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {summary}."))
        self.stdout.write(f"Demo logins (password: {settings.DEMO_PASSWORD}):")
        for demo in DEMO_USERS:
            self.stdout.write(f"  {demo.username:<12} {demo.role.label}")
