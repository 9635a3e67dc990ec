"""The magnifier: the search page's selector (``global_search``), tickets by
number, customers by name, CIF/NIF, e-mail or phone with their open
tickets, and tickets by their text. Every agent of the desk sees every
ticket (``get_ticket_for_user``), and only they reach this view."""

from django.db.models import prefetch_related_objects
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from api.rest import DeskAPIView
from api.serializers import CustomerSerializer, ListNames
from api.views.base import responses, search_query
from customers.selectors import MAX_QUERY_LENGTH
from itsm.search_selectors import global_search


class OpenTicketSerializer(serializers.Serializer):
    """A ticket of a customer found: the customer is the hit's."""

    number = serializers.CharField()
    kind = serializers.CharField(source="KIND")
    summary = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.SerializerMethodField(
        help_text="The status as the desk's pages name it, in the request's language."
    )
    assigned_group_name = serializers.SerializerMethodField(help_text="Its group's name.")
    assignee_username = serializers.SerializerMethodField(
        help_text="The login of who it is assigned to; null while nobody is."
    )
    created_at = serializers.DateTimeField()
    url = serializers.SerializerMethodField(help_text="The ticket in the API.")

    # The names come from the context's ListNames: a customer's open tickets
    # are read without their relations.

    def get_status_label(self, ticket) -> str:
        return str(ticket.get_status_display())

    def get_assigned_group_name(self, ticket) -> str:
        return self.context["names"].groups.get(ticket.assigned_group_id, "")

    def get_assignee_username(self, ticket) -> str | None:
        if ticket.assignee_id is None:
            return None
        return self.context["names"].usernames.get(ticket.assignee_id)

    def get_url(self, ticket) -> str:
        return self.context["request"].build_absolute_uri(
            reverse(f"api:{ticket.kind.namespace}-detail", args=[ticket.number])
        )


class FoundTicketSerializer(OpenTicketSerializer):
    customer_name = serializers.CharField(source="customer.full_name")


class CustomerHitSerializer(serializers.Serializer):
    customer = CustomerSerializer()
    open_tickets = OpenTicketSerializer(many=True, help_text="The newest 10.")
    more_open_tickets = serializers.IntegerField()


class TextHitSerializer(serializers.Serializer):
    ticket = FoundTicketSerializer()
    source = serializers.CharField(
        help_text="Where the words were found: ticket (summary and description), "
        "work_info, mail_received, mail_sent or another registered source."
    )
    snippet = serializers.CharField(
        help_text="A short piece of the text, HTML: the matched words in <mark>, "
        "everything else escaped."
    )


class SearchSerializer(serializers.Serializer):
    query = serializers.CharField()
    exact = serializers.CharField(
        allow_null=True, help_text="The number of the one ticket the query names, if any."
    )
    tickets = FoundTicketSerializer(many=True)
    customers = CustomerHitSerializer(many=True)
    more_customers = serializers.BooleanField(help_text="More than 20 customers match.")
    text = TextHitSerializer(
        many=True,
        help_text="Tickets whose summary, description, notes or mail contain every word "
        "(Spanish stems, without accents or case), newest first; at most 10.",
    )


class SearchView(DeskAPIView):
    @extend_schema(
        parameters=[
            search_query(
                "A ticket number (INC…, WO…, 'inc 1234' or the digits), a "
                "customer's name and surnames, CIF/NIF, e-mail or phone, or words of the "
                f"tickets' text; up to {MAX_QUERY_LENGTH} characters."
            )
        ],
        responses=responses({200: SearchSerializer}),
    )
    def get(self, request) -> Response:
        query = request.query_params.get("q", "")
        if len(query) > MAX_QUERY_LENGTH:
            raise ValidationError(
                {"q": [_("Write at most %(max)d characters.") % {"max": MAX_QUERY_LENGTH}]}
            )
        results = global_search(query, user=request.user)
        # The API shows each customer's phones: one query for all of them.
        prefetch_related_objects([hit.customer for hit in results.customers], "phones")
        body = {
            "query": results.query,
            "exact": results.exact.number if results.exact is not None else None,
            "tickets": results.tickets,
            "customers": results.customers,
            "more_customers": results.more_customers,
            "text": results.text_hits,
        }
        tickets = results.tickets + [hit.ticket for hit in results.text_hits]
        tickets += [ticket for hit in results.customers for ticket in hit.open_tickets]
        names = ListNames(tickets)
        return Response(SearchSerializer(body, context={"request": request, "names": names}).data)
