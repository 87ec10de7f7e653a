"""Benchmark-only settings: the production settings plus a URLconf with a minimal JSON view, the
baseline of the served-throughput ratio (benchmarks/api.py). Never used to serve the product."""

from factcheck.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.urls"
