"""The dashboard list and one patient's record: /api/v1/patients/ and /api/v1/patients/{id}/."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from config.api.schema import error_responses
from config.api.serializers import query_data
from patients.api.base import ClinicScopedViewSet
from patients.models import Patient
from patients.services.activation import activation_code_issue
from rehab.records.api.serializers import (
    ActivationCodeSerializer,
    DashboardQuerySerializer,
    DashboardRowSerializer,
    PatientChangeSerializer,
    PatientCreatedSerializer,
    PatientCreateSerializer,
    PatientDetailSerializer,
)
from rehab.records.selectors.dashboard import DashboardQuery, PatientDashboard
from rehab.records.selectors.patient import patient_detail
from rehab.records.services import patient_register, patient_update


class PatientViewSet(ClinicScopedViewSet):
    lookup_url_kwarg = "id"

    def scoped_queryset(self):
        return Patient.objects.select_related("assigned_physio")

    @extend_schema(
        summary="Dashboard rows",
        parameters=[DashboardQuerySerializer],
        responses=DashboardRowSerializer(many=True),
    )
    def list(self, request):
        query = DashboardQuerySerializer(data=query_data(request))
        query.is_valid(raise_exception=True)
        dashboard = PatientDashboard(clinic_id=self.clinic_id, query=DashboardQuery(**query.validated_data))
        page = self.paginate_queryset(dashboard.patients)
        return self.get_paginated_response(DashboardRowSerializer(dashboard.rows(page), many=True).data)

    @extend_schema(
        summary="Create a patient with an enrolment and an activation code",
        request=PatientCreateSerializer,
        responses={201: PatientCreatedSerializer},
    )
    def create(self, request):
        data = _validated(PatientCreateSerializer, request.data)
        patient, code = patient_register(clinic=request.user.clinic, by=request.user, **data)
        patient = patient_detail(self.get_queryset().get(pk=patient.pk))
        patient.activation_code = code
        self._audit_patients().add(patient.pk)
        return Response(PatientCreatedSerializer(patient).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="A patient's record", responses=PatientDetailSerializer)
    def retrieve(self, request, id=None):
        return Response(PatientDetailSerializer(patient_detail(self.get_object())).data)

    @extend_schema(
        summary="Change a patient's record", request=PatientChangeSerializer, responses=PatientDetailSerializer
    )
    def partial_update(self, request, id=None):
        patient = self.get_object()
        data = _validated(PatientChangeSerializer, request.data, partial=True)
        patient = patient_update(patient=patient, by=request.user, data=data)
        return Response(PatientDetailSerializer(patient_detail(self.get_queryset().get(pk=patient.pk))).data)

    @extend_schema(
        summary="Issue a new activation code (the old one stops working)",
        description="409 for a discharged patient: activation would refuse the code.",
        request=None,
        responses={201: ActivationCodeSerializer, **error_responses(409)},
    )
    @action(detail=True, methods=["post"], url_path="activation-code")
    def activation_code(self, request, id=None):
        code = activation_code_issue(patient=self.get_object(), by=request.user)
        return Response({"activation_code": code}, status=status.HTTP_201_CREATED)


def _validated(serializer_class, data, **kwargs) -> dict:
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
