"""Settings of the benchmark: the tracker's own with a bench-only URLconf that adds the floor view.

The floor (/bench/floor/) exists only here, never in the production URLconf.
"""

from tracker.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
