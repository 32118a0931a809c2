"""Faces' building blocks: the findings tables, their display, dataset summaries."""

from lahar.report.display import DISPLAY, TITLES, display_table
from lahar.report.findings import TOPICS, all_tables, analyze
from lahar.report.scenario import LABELS, defaults_table, headline_table, scenarios_table
from lahar.report.summary import DatasetSummary, dataset_summary

__all__ = [
    "DISPLAY",
    "LABELS",
    "TITLES",
    "TOPICS",
    "DatasetSummary",
    "all_tables",
    "analyze",
    "dataset_summary",
    "defaults_table",
    "display_table",
    "headline_table",
    "scenarios_table",
]
