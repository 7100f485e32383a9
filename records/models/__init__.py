from records.models.accounts import StaffProfile
from records.models.agencies import Agency, AgencyAlias, AgencyKind
from records.models.content import ContentVersion
from records.models.documents import Document, DocumentMention, DocumentPage, ExtractionStatus, MentionStatus
from records.models.duplicates import DuplicatePair
from records.models.follows import Cadence, Follow, Publication, SentItem, Subscriber
from records.models.jurisdictions import DayType, Jurisdiction, Level
from records.models.merges import MergeRecord
from records.models.oversight import (
    OversightKind,
    OversightLaw,
    OversightOutcome,
    OversightRecord,
    OversightStatus,
)
from records.models.procurements import (
    FundingSource,
    Procurement,
    ProcurementKind,
    ProcurementMethod,
    ProcurementStatus,
)
from records.models.requests import (
    Channel,
    Correspondence,
    Direction,
    RecordsRequest,
    RequestStatus,
    RequestStatusChange,
)
from records.models.revisions import ProposedRevision, RevisionStatus
from records.models.sharing import Organisation, OrganisationKind, SharingHow, SharingLink, SharingSummary
from records.models.timeline import DatePrecision, EventKind, EventSource, TimelineEvent
from records.models.timeline_counts import TimelineCount
from records.models.vendors import Product, Technology, Vendor, VendorAlias
from records.models.visibility import Visibility

__all__ = [
    "Agency",
    "Cadence",
    "Follow",
    "Publication",
    "SentItem",
    "Subscriber",
    "AgencyAlias",
    "AgencyKind",
    "Channel",
    "ContentVersion",
    "Correspondence",
    "DatePrecision",
    "DayType",
    "Direction",
    "Document",
    "DocumentMention",
    "DocumentPage",
    "DuplicatePair",
    "EventKind",
    "EventSource",
    "ExtractionStatus",
    "Jurisdiction",
    "Level",
    "MentionStatus",
    "MergeRecord",
    "Organisation",
    "OrganisationKind",
    "OversightKind",
    "OversightLaw",
    "OversightOutcome",
    "OversightRecord",
    "OversightStatus",
    "FundingSource",
    "Procurement",
    "ProcurementMethod",
    "ProcurementKind",
    "ProcurementStatus",
    "Product",
    "ProposedRevision",
    "RecordsRequest",
    "RequestStatus",
    "RequestStatusChange",
    "RevisionStatus",
    "SharingHow",
    "SharingLink",
    "SharingSummary",
    "StaffProfile",
    "Technology",
    "TimelineCount",
    "TimelineEvent",
    "Vendor",
    "VendorAlias",
    "Visibility",
]
