"""Faces' building blocks: the findings tables, their display, dataset summaries."""

from lahar.report.display import DISPLAY, TITLES, display_table
from lahar.report.findings import TOPICS, all_tables, analyze
from lahar.report.summary import DatasetSummary, dataset_summary

__all__ = [
    "DISPLAY",
    "TITLES",
    "TOPICS",
    "DatasetSummary",
    "all_tables",
    "analyze",
    "dataset_summary",
    "display_table",
]
