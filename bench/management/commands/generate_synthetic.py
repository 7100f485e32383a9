from django.core.management.base import BaseCommand, CommandError

from bench import synthetic


class Command(BaseCommand):
    help = (
        "Fill the database with SYNTHETIC data for benchmarks. --scale 1 is national size (18,000 agencies, "
        "400 vendors, 1,000 products, 100,000 procurements, 100,000 records requests with 300,000 correspondence "
        "entries, 300,000 documents of 1-10 pages, 1,000,000 timeline entries); --scale 0.01 a quick set. "
        'Everything it makes is marked: names and titles end with "(synthetic)", slugs start with "synthetic-", '
        'timeline entries\' external_id with "synthetic:". It refuses a database that already holds a synthetic '
        "set unless --replace, which deletes that set first (the rest of the data is left alone)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=0.01, help="1 = national size (default 0.01).")
        parser.add_argument("--seed", type=int, default=2017, help="Random seed: the same seed makes the same data.")
        parser.add_argument(
            "--replace", action="store_true", help="Delete an existing synthetic set first, then generate."
        )
        parser.add_argument(
            "--keep-search-index",
            action="store_true",
            help="Keep the full-text index up to date row by row during the load instead of rebuilding it once "
            "at the end (slower; for measuring the difference).",
        )

    def handle(self, *args, scale, seed, replace, keep_search_index, **options):
        if not 0 < scale <= 10:
            raise CommandError("--scale must be above 0 and at most 10.")
        if synthetic.synthetic_exists():
            if not replace:
                raise CommandError(
                    "This database already holds a synthetic set (agencies whose slug starts with 'synthetic-'). "
                    "Run again with --replace to delete it and generate a new one."
                )
            deleted = synthetic.delete_synthetic()
            self.stdout.write(f"Deleted the earlier synthetic set: {sum(deleted.values()):,} rows.")
        progress = options["verbosity"] >= 1
        generator = synthetic.Generator(scale, seed=seed, progress=progress, rebuild_search=not keep_search_index)
        result = generator.run()
        if options["verbosity"] >= 2:
            for label, seconds in result.steps.items():
                self.stdout.write(f"  {label:<28} {seconds:8.1f} s")
        made = ", ".join(f"{count:,} {label}" for label, count in result.rows.items())
        self.stdout.write(self.style.SUCCESS(f"Synthetic data at scale {scale:g} in {result.seconds:.1f} s: {made}."))
        self.stdout.write(f"Largest agency: {result.largest['agency']}; largest vendor: {result.largest['vendor']}.")
