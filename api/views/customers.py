"""Customers: the magnifier's search, creation and (staff) updates."""

from django.db import transaction
from django.db.models import prefetch_related_objects
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from api.rest import DeskAPIView, StaffPermission
from api.serializers import (
    CustomerSerializer,
    CustomerUpdateSerializer,
    CustomerWriteSerializer,
)
from api.views.base import responses, search_query, validated
from customers.models import Customer
from customers.selectors import customer_search
from customers.services import customer_create, customer_update
from itsm.blocked import visible_customers
from itsm.common.rows import row_id

CUSTOMER_SEARCH_LIMIT = 20


class CustomerListView(DeskAPIView):
    @extend_schema(
        parameters=[
            search_query(
                "Name and surnames (accents ignored), CIF/NIF in any format, "
                "e-mail or phone; at least 2 characters. Active customers, up to 20."
            )
        ],
        responses=responses({200: CustomerSerializer(many=True)}),
        operation_id="customers_search",
    )
    def get(self, request) -> Response:
        query = request.query_params.get("q", "")
        found = list(customer_search(query, limit=CUSTOMER_SEARCH_LIMIT))
        prefetch_related_objects(found, "phones")
        return Response(CustomerSerializer(found, many=True).data)

    @extend_schema(request=CustomerWriteSerializer, responses=responses({201: CustomerSerializer}))
    def post(self, request) -> Response:
        with transaction.atomic():
            customer = customer_create(**validated(CustomerWriteSerializer, request))
        return Response(CustomerSerializer(customer).data, status=status.HTTP_201_CREATED)


class CustomerDetailView(DeskAPIView):
    def get_permissions(self):
        if self.request.method == "PATCH":
            return [StaffPermission()]
        return super().get_permissions()

    def customer(self, pk: int) -> Customer:
        customers = visible_customers(Customer.objects, self.request.user)
        customer = customers.filter(pk=row_id(pk)).first()
        if customer is None:
            raise Http404(_("There is no such customer."))
        return customer

    @extend_schema(responses=responses({200: CustomerSerializer}, 404))
    def get(self, request, pk: int) -> Response:
        return Response(CustomerSerializer(self.customer(pk)).data)

    @extend_schema(
        request=CustomerUpdateSerializer, responses=responses({200: CustomerSerializer}, 404)
    )
    def patch(self, request, pk: int) -> Response:
        customer = self.customer(pk)
        data = validated(CustomerUpdateSerializer, request, partial=True)
        customer_update(customer=customer, **data)
        return Response(CustomerSerializer(customer).data)
