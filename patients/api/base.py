"""The one base class of every clinician view: clinic scoping and the audit trail, done once.

Modelled on PostHog's TeamAndOrgViewSetMixin. A view says what it lists in
`scoped_queryset()`; the base class narrows it to the caller's clinic, so
another clinic's patient, alert or log is simply not found (404, never 403,
which would confirm it exists). Views cannot override `get_queryset()`: a
subclass that tries fails at import, so no view can forget the scoping.

Every successful request also leaves an audit entry per patient whose data it
showed or changed (rehab.services.audit). The patients are collected where
the data is fetched (`get_object`, `paginate_queryset`, `get_patient`), so a
list records exactly the patients on the page it returned, and no view has
to remember to do it.
"""

from django.db.models import Model, QuerySet
from django.shortcuts import get_object_or_404
from rest_framework.metadata import SimpleMetadata
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView
from rest_framework.viewsets import GenericViewSet

from config.client_address import client_address
from patients.api.permissions import IsClinician, IsPatient
from patients.models import Patient
from patients.services.audit import audit_record

AUDIT_ACTIONS = {"GET": "read", "HEAD": "read", "POST": "create", "PUT": "update", "PATCH": "update"}


class DescriptionMetadata(SimpleMetadata):
    """OPTIONS answers name and description only: these views pick a serializer per action, not per method."""

    def determine_metadata(self, request, view):
        metadata = super().determine_metadata(request, view)
        metadata.pop("actions", None)
        return metadata

    def determine_actions(self, request, view):
        return {}


class ClinicScopedViewSet(GenericViewSet):
    permission_classes = [IsClinician]
    metadata_class = DescriptionMetadata
    # The path from the scoped model to its clinic.
    clinic_field = "clinic"
    # The URL keyword naming the patient of nested paths (/patients/{patient_id}/...).
    patient_url_kwarg = "patient_id"

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "get_queryset" in cls.__dict__:
            raise TypeError(
                f"{cls.__name__} overrides get_queryset(); implement scoped_queryset() instead, "
                "so the clinic scoping of ClinicScopedViewSet cannot be bypassed."
            )

    def scoped_queryset(self) -> QuerySet:
        raise NotImplementedError(f"{type(self).__name__} must implement scoped_queryset()")

    @property
    def clinic_id(self) -> int:
        return self.request.user.clinic_id

    def get_queryset(self) -> QuerySet:
        queryset = self.scoped_queryset()
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request user
            return queryset.none()
        return queryset.filter(**{self.clinic_field: self.clinic_id})

    @property
    def patient_id(self) -> int | None:
        return self.kwargs.get(self.patient_url_kwarg)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authentication and permissions first: 401/403 before 404
        if self.patient_id is not None:
            self.get_patient()  # another clinic's patient: 404 before anything else happens

    def get_patient(self) -> Patient:
        """The patient of a nested path, in the caller's clinic, or 404."""
        if not hasattr(self, "_patient"):
            scoped = Patient.objects.filter(clinic_id=self.clinic_id)
            self._patient = get_object_or_404(scoped, pk=self.kwargs[self.patient_url_kwarg])
            self._audit_patients().add(self._patient.pk)
        return self._patient

    # --- the audit trail ----------------------------------------------------
    def get_object(self):
        obj = super().get_object()
        self._audit_patients().add(_patient_id_of(obj))
        return obj

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self._audit_patients().update(_patient_id_of(obj) for obj in (page if page is not None else queryset))
        return page

    def _audit_patients(self) -> set:
        if not hasattr(self, "_audited"):
            self._audited = set()
        return self._audited

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        user = getattr(request, "user", None)
        if response.status_code < 400 and user is not None and getattr(user, "is_clinician", False):
            audit_record(
                actor=user,
                action=AUDIT_ACTIONS.get(request.method, request.method.lower()),
                resource=request.get_full_path(),
                patient_ids=[pk for pk in self._audit_patients() if pk is not None],
                ip_address=client_address(request),
            )
        return response


def _patient_id_of(obj: Model) -> int | None:
    if isinstance(obj, Patient):
        return obj.pk
    return getattr(obj, "patient_id", None)


class PatientView(APIView):
    permission_classes = (IsAuthenticated, IsPatient)

    @property
    def patient(self) -> Patient:
        return self.request.user.patient
