"""Human-readable outputs: summaries now, the HTML report later."""

from lahar.report.scenario import LABELS, defaults_table, headline_table
from lahar.report.summary import DatasetSummary, dataset_summary

__all__ = ["LABELS", "DatasetSummary", "dataset_summary", "defaults_table", "headline_table"]
