"""Many books at once: `accessible batch`, on this machine or on a Ray cluster.

`runner` schedules, `jobs` is the work (the pipeline's own stages), `workers` runs it
(local processes or Ray tasks), `sources` finds the inputs, `stamp` knows what is up to
date, `progress` shows it all.
"""

from .runner import REPORT, BatchReport, BookReport, run_batch

__all__ = ["REPORT", "BatchReport", "BookReport", "run_batch"]
