"""Human-readable outputs: summaries now, the HTML report later."""

from lahar.report.summary import DatasetSummary, dataset_summary

__all__ = ["DatasetSummary", "dataset_summary"]
