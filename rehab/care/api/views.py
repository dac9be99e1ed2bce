"""The phone app's endpoints: /api/v1/me/... (a patient's own data) and the red-flag table.

Every /me/ view is a PatientView: signed in as a patient with a Patient row,
and every read or write goes through `self.patient`, so no view can reach
another patient's data. Staff get 403.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from config import clock
from config.api.schema import error_responses
from config.api.serializers import query_data
from patients.api.base import ClinicScopedViewSet, PatientView
from patients.models import Patient, User
from protocols.selectors import protocol_version_latest
from rehab.care.api.serializers import (
    EnrollmentSerializer,
    EnrollmentStartSerializer,
    PlanQuerySerializer,
    PlanSerializer,
    RedFlagTableSerializer,
)
from rehab.care.models import Enrollment
from rehab.care.selectors.plan import patient_plan
from rehab.care.selectors.red_flags import red_flag_table
from rehab.care.services.enrollment import enrollment_start


class PlanView(PatientView):
    @extend_schema(
        summary="The plan for one day (default: the patient's today)",
        parameters=[PlanQuerySerializer],
        responses={
            200: PlanSerializer,
            **error_responses(404),
        },
        description="404 for a day before the enrolment's start, without an enrolment, or after discharge.",
    )
    def get(self, request):
        query = PlanQuerySerializer(data=query_data(request))
        query.is_valid(raise_exception=True)
        on = query.validated_data.get("date") or clock.local_today(self.patient.timezone)
        plan = patient_plan(patient=self.patient, on=on)
        if plan is None:
            raise NotFound(f"There is no plan for {on.isoformat()}.")
        return Response(PlanSerializer(plan).data)


class RedFlagView(APIView):
    @extend_schema(
        summary="The red-flag table, for advice while offline",
        description=(
            "Every symptom for both cares (`post_surgical`, `conservative`) with its tier and advice. For a "
            "patient, their own care reads their own protocol version and `care` says which applies now; the "
            "other care, and both for staff, read the latest published version. The whole table is one page."
        ),
        responses={200: RedFlagTableSerializer},
    )
    def get(self, request):
        user = request.user
        patient = Patient.objects.filter(user=user).first() if user.role == User.Role.PATIENT else None
        table = red_flag_table(patient=patient)
        rows = table["rows"]
        body = {"count": len(rows), "next": None, "previous": None, "care": table["care"], "results": rows}
        return Response(RedFlagTableSerializer(body).data)


class PatientEnrollmentViewSet(ClinicScopedViewSet):
    clinic_field = "patient__clinic"

    def scoped_queryset(self):
        return Enrollment.objects.filter(patient_id=self.patient_id)

    @extend_schema(
        summary="Move the patient to another protocol",
        description=(
            "The current enrolment ends the day before `start_date` (even in the past); its undecided milestones "
            "are cancelled; milestones of the new one whose window already closed are skipped. 409 when an "
            "enrolment already starts on or after `start_date`."
        ),
        request=EnrollmentStartSerializer,
        responses={201: EnrollmentSerializer, **error_responses(409)},
    )
    def create(self, request, patient_id=None):
        patient = self.get_patient()
        serializer = EnrollmentStartSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        version = protocol_version_latest(data["protocol"])
        if version is None:
            raise ValidationError({"protocol": ["No such protocol."]})
        enrollment = enrollment_start(
            patient=patient,
            protocol_version=version,
            start_date=data["start_date"],
            reason=data["reason"],
            by=request.user,
        )
        enrollment = self.get_queryset().select_related("protocol_version__protocol").get(pk=enrollment.pk)
        enrollment.is_current = enrollment.start_date <= clock.local_today(patient.timezone)
        return Response(EnrollmentSerializer(enrollment).data, status=status.HTTP_201_CREATED)
