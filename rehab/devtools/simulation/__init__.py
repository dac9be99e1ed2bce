"""Synthetic cohorts: bulk data for benchmarks, and the cohort simulator.

Nothing here is imported by the running product; `manage.py simulate_cohort`
and the scripts in bench/ use it.
"""
