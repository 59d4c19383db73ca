from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from apps.core import scale
from apps.core.demo import DEMO_USERS, load_demo_data


class Command(BaseCommand):
    help = (
        "Load the demo enterprise (a mining and processing plant) and one user per role. Idempotent. "
        "With --scale, grow it to plant size (deterministic data, for benchmarks)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            choices=sorted(scale.SCALES),
            help="plant: 300 units, 200 users, 1,000,000 observations, 100,000 actions, 20,000 incidents, "
            "5,000 audits, 300 contractor companies with 10,000 workers and passes (PostgreSQL, a few minutes); "
            "site: a tenth of that and less.",
        )
        parser.add_argument("--observations", type=int, help="override the number of observations")
        parser.add_argument("--actions", type=int, help="override the number of actions")

    def handle(self, *args, **options):
        counts = load_demo_data(today=timezone.localdate())
        summary = ", ".join(f"{count} {name}" for name, count in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {summary}."))
        if options["scale"]:
            chosen = scale.SCALES[options["scale"]]
            overrides = {name: options[name] for name in ("observations", "actions") if options[name] is not None}
            if overrides:
                chosen = scale.Scale(**{**chosen.__dict__, **overrides})
            self.stdout.write(f"Adding {options['scale']}-scale data ({chosen.units} units)…")
            added = scale.generate(chosen, log=self.stdout.write)
            if added:
                self.stdout.write(
                    self.style.SUCCESS("Scale data: " + ", ".join(f"{v:,} {k}" for k, v in added.items()))
                )
        self.stdout.write(f"Demo logins (password: {settings.DEMO_PASSWORD}):")
        for demo in DEMO_USERS:
            self.stdout.write(f"  {demo.username:<12} {demo.role.label}")
