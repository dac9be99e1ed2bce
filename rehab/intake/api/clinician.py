"""A patient's nested resources: enrolment moves, review outcomes, clinical events, logs."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins

from config.api.serializers import query_data
from patients.api.base import ClinicScopedViewSet
from rehab.intake.api.serializers import SinceQuerySerializer
from rehab.intake.registry import LogKind
from rehab.intake.selectors import patient_logs


class PatientLogViewSet(mixins.ListModelMixin, ClinicScopedViewSet):
    """One class for the five log kinds: `kind` (a path segment of LOG_KINDS) is set per route."""

    # The docstring is the published schema's description of these lists, so it keeps its words; `kind` is now
    # the registry's entry for the route (rehab.intake.registry.KINDS).
    clinic_field = "patient__clinic"
    kind: LogKind | None = None

    def scoped_queryset(self):
        query = SinceQuerySerializer(data=query_data(self.request))
        query.is_valid(raise_exception=True)
        return patient_logs(patient_id=self.patient_id, kind=self.kind.key, since=query.validated_data.get("since"))

    def get_serializer_class(self):
        return self.kind.out_serializer

    @extend_schema(summary="The patient's logs of one kind, newest first", parameters=[SinceQuerySerializer])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)
