"""`make bench`: time the pages against a bare Django view on a fresh test database, print one table.

Exits non-zero only when a benchmark raises; a benchmark over its target is reported, not fatal.
"""

import argparse
import os
import sys
import warnings

# Enough for a fresh clone with nothing configured; what the environment sets wins, except ENV_FILE: the
# benchmarks never read the development .env that `make setup` writes (opencities/settings.py).
FORCED_ENVIRONMENT = {"ENV_FILE": ""}
BENCH_ENVIRONMENT = {
    "DJANGO_SETTINGS_MODULE": "opencities.settings",
    "DEBUG": "false",
    "DEMO_MODE": "false",
    "SECRET_KEY": "bench-only-secret-key-never-used-to-serve-anything-0123456789",
    "ALLOWED_HOSTS": "testserver",
    "SITE_URL": "http://testserver",
    "SECURE_SSL_REDIRECT": "false",
    "SESSION_COOKIE_SECURE": "false",
    "CSRF_COOKIE_SECURE": "false",
    # Keeps django-axes' line per login out of the output.
    "LOG_LEVEL": "WARNING",
}


def parse_arguments(argv):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="benchmarks to run (their baselines run too); all if none")
    parser.add_argument("-n", "--repetitions", type=int, default=None, help="timed requests per benchmark")
    parser.add_argument("-w", "--warmup", type=int, default=None, help="untimed requests before them")
    return parser.parse_args(argv)


def apply_environment():
    for name, value in BENCH_ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    os.environ.update(FORCED_ENVIRONMENT)


def main(argv=None) -> int:
    arguments = parse_arguments(argv)
    apply_environment()

    # WhiteNoise looks for collected static files; the benchmarks request none.
    warnings.filterwarnings("ignore", message="No directory at")
    import django

    django.setup()

    # Importing registers the benchmarks; pages' come first whatever the order here, as the others import it.
    from . import cases, compare, pages, queue, reports, wizard  # noqa: F401
    from .registry import registry
    from .report import ERROR, exit_status, format_table
    from .runner import REPETITIONS, WARMUP, describe_database, fresh_database, run

    try:
        benchmarks = registry.select(arguments.names)
    except KeyError as unknown:
        print(unknown.args[0], file=sys.stderr)
        return 2
    repetitions = arguments.repetitions or REPETITIONS
    warmup = arguments.warmup if arguments.warmup is not None else WARMUP
    with fresh_database():
        database = describe_database()
        outcomes = run(benchmarks, warmup=warmup, repetitions=repetitions)

    print(format_table(outcomes, database=database))
    print(
        f"\nMedian of {repetitions} requests after {warmup} warm-up; "
        "ratio = median / median of the baseline's requests taken in between."
    )
    for outcome in outcomes:
        if outcome.verdict == ERROR:
            print(f"\n{outcome.benchmark.name} raised:\n{outcome.error}", file=sys.stderr)
    return exit_status(outcomes)


if __name__ == "__main__":
    sys.exit(main())
