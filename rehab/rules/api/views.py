"""A patient's nested resources: enrolment moves, review outcomes, clinical events, logs."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from config.api.schema import error_responses
from patients.api.base import ClinicScopedViewSet
from rehab.care.api.serializers import MilestoneSerializer
from rehab.care.models import Milestone
from rehab.care.selectors.clinical_events import patient_clinical_events
from rehab.care.selectors.milestones import milestone_for_outcome
from rehab.rules.api.serializers import CLINICAL_EVENT_REQUEST, ClinicalEventSerializer, OutcomeSerializer
from rehab.rules.services.clinical_events import clinical_event_record
from rehab.rules.services.reviews import milestone_outcome_record


class MilestoneOutcomeViewSet(ClinicScopedViewSet):
    clinic_field = "enrollment__patient__clinic"

    def scoped_queryset(self):
        return Milestone.objects.filter(enrollment__patient_id=self.patient_id).select_related("decided_by")

    @extend_schema(
        summary="Record or override a review's outcome",
        description=(
            "`not_met` raises the referral as the automatic review would. Overriding an outcome already decided "
            "needs a `note` (400 without). 409 for a milestone that is not a review or whose window has not opened."
        ),
        request=OutcomeSerializer,
        responses={200: MilestoneSerializer, **error_responses(409)},
    )
    def create(self, request, patient_id=None, code=None):
        patient = self.get_patient()
        milestone = self._milestone(patient, code)
        serializer = OutcomeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        milestone = milestone_outcome_record(milestone=milestone, by=request.user, **serializer.validated_data)
        return Response(MilestoneSerializer(self.get_queryset().get(pk=milestone.pk)).data)

    def _milestone(self, patient, code: str) -> Milestone:
        milestone = milestone_for_outcome(patient=patient, code=code)
        if milestone is None:
            raise NotFound(f"No milestone {code} for this patient.")
        return milestone


class ClinicalEventViewSet(mixins.ListModelMixin, ClinicScopedViewSet):
    clinic_field = "patient__clinic"
    serializer_class = ClinicalEventSerializer

    def scoped_queryset(self):
        return patient_clinical_events(patient_id=self.patient_id)

    @extend_schema(summary="The patient's clinical events, newest first")
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary="Record or plan a clinical event",
        description="The safety rules run on it at once (e.g. a planned corticosteroid injection at the heel).",
        request=CLINICAL_EVENT_REQUEST,
        responses={201: ClinicalEventSerializer},
    )
    def create(self, request, patient_id=None):
        patient = self.get_patient()
        serializer = ClinicalEventSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        event = clinical_event_record(
            patient=patient,
            kind=data["kind"],
            on=data["date"],
            details=data["details"],
            note=data["note"],
            by=request.user,
        )
        return Response(ClinicalEventSerializer(event).data, status=status.HTTP_201_CREATED)
