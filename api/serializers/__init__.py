"""What the API reads and writes, one module per resource. Writes only parse
and type the input; the rules belong to the services they are handed to.
The names every view imports are gathered here; mail and the mailbox have
their own module (``api.serializers.mail``)."""

from api.serializers.base import (
    MAX_ID,
    MAX_TEXT,
    IdField,
    PageSerializer,
    ProblemSerializer,
    text,
)
from api.serializers.customers import (
    CustomerPhoneSerializer,
    CustomerSerializer,
    CustomerUpdateSerializer,
    CustomerWriteSerializer,
    PhoneWriteSerializer,
)
from api.serializers.journal import (
    AttachmentFileField,
    AttachmentSerializer,
    JournalAppendSerializer,
    JournalEntrySerializer,
    JournalPageSerializer,
)
from api.serializers.reference import (
    GroupSerializer,
    ReasonSerializer,
    SlaTargetSerializer,
    TemplateSerializer,
)
from api.serializers.relations import RelationAddSerializer, RelationSerializer, relation_side
from api.serializers.tickets import (
    TICKET_COLUMNS,
    ListNames,
    NoteSerializer,
    PendingSerializer,
    ResolveSerializer,
    TicketCreateSerializer,
    TicketSerializer,
    TicketUpdateSerializer,
    TicketWriteSerializer,
    kind_serializers,
    list_columns,
)

__all__ = [
    "list_columns",
    "ListNames",
    "MAX_ID",
    "MAX_TEXT",
    "TICKET_COLUMNS",
    "AttachmentFileField",
    "AttachmentSerializer",
    "CustomerPhoneSerializer",
    "CustomerSerializer",
    "CustomerUpdateSerializer",
    "CustomerWriteSerializer",
    "GroupSerializer",
    "IdField",
    "JournalAppendSerializer",
    "JournalEntrySerializer",
    "JournalPageSerializer",
    "NoteSerializer",
    "PageSerializer",
    "PendingSerializer",
    "PhoneWriteSerializer",
    "ProblemSerializer",
    "ReasonSerializer",
    "RelationAddSerializer",
    "RelationSerializer",
    "ResolveSerializer",
    "SlaTargetSerializer",
    "TemplateSerializer",
    "TicketCreateSerializer",
    "TicketSerializer",
    "TicketUpdateSerializer",
    "TicketWriteSerializer",
    "kind_serializers",
    "relation_side",
    "text",
]
