"""Ministry of Finance budget execution reports (Rb-27S income, Rb-28S expenditure).

Two readers feed one publisher: the `PaczkaSprawozdan` XML packages local governments export
(`xml_reader`), and the public BeSTi@ REST API (`bestia_client`, `bestia_load`).
"""

from loaders.mf_rb.load import SOURCE, load_mf_rb, publish_report_batch
from loaders.mf_rb.records import BudgetReportRecord, ReportBatch, ReportLine, UnitRef, teryt_of
from loaders.mf_rb.xml_reader import parse_package

__all__ = [
    "SOURCE",
    "BudgetReportRecord",
    "ReportBatch",
    "ReportLine",
    "UnitRef",
    "load_mf_rb",
    "parse_package",
    "publish_report_batch",
    "teryt_of",
]
