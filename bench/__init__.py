"""Benchmarks. Speed is measured here, never in timed tests. See docs/performance.md."""
