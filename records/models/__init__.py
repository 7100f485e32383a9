from records.models.agencies import Agency, AgencyKind
from records.models.documents import Document, DocumentPage, ExtractionStatus
from records.models.jurisdictions import DayType, Jurisdiction, Level
from records.models.procurements import Procurement, ProcurementKind, ProcurementStatus
from records.models.requests import Correspondence, RecordsRequest, RequestStatus
from records.models.timeline import DatePrecision, EventKind, EventSource, TimelineEvent
from records.models.vendors import Product, Technology, Vendor, VendorAlias
from records.models.visibility import Visibility

__all__ = [
    "Agency",
    "AgencyKind",
    "Correspondence",
    "DatePrecision",
    "DayType",
    "Document",
    "DocumentPage",
    "EventKind",
    "EventSource",
    "ExtractionStatus",
    "Jurisdiction",
    "Level",
    "Procurement",
    "ProcurementKind",
    "ProcurementStatus",
    "Product",
    "RecordsRequest",
    "RequestStatus",
    "Technology",
    "TimelineEvent",
    "Vendor",
    "VendorAlias",
    "Visibility",
]
