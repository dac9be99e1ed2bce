"""One patient's RTM: episodes, time entries and corrections, the timer, the ledger, the RPM flag.

Every path is nested under /patients/{patient_id}/rtm/, so ClinicScopedViewSet answers another
clinic's patient with 404 before anything runs.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from config.api.schema import error_responses
from config.api.serializers import query_data
from patients.api.base import ClinicScopedViewSet
from rehab.billing.api import serializers as s
from rehab.billing.models import Episode, RpmMonth, TimeEntry, Timer
from rehab.billing.selectors.entries import episodes_of, time_entries_visible, time_entry_in_effect
from rehab.billing.selectors.ledger import clinic_month_rows, month_of
from rehab.billing.services.episodes import episode_start, episode_stop
from rehab.billing.services.months import rpm_flag_set
from rehab.billing.services.time_entries import (
    time_entry_correct,
    time_entry_record,
    timer_confirm,
    timer_discard,
    timer_minutes,
    timer_start,
    timer_stop,
)


def validated(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def entry_shown(entry: TimeEntry) -> dict:
    return {
        **{f: getattr(entry, f) for f in ("id", "patient_id", "clinician", "kind", "activity", "started_at")},
        **{f: getattr(entry, f) for f in ("minutes", "interactive", "note", "corrects_id", "recorded_at")},
        "corrected_by": getattr(entry, "correction_id", None),
        "in_effect": time_entry_in_effect(entry),
    }


def timer_shown(timer: Timer) -> dict:
    return {
        "id": timer.pk,
        "patient_id": timer.patient_id,
        "started_at": timer.started_at,
        "stopped_at": timer.stopped_at,
        "running": timer.stopped_at is None and timer.entry_id is None and timer.discarded_at is None,
        "minutes": timer_minutes(timer),
        "entry_id": timer.entry_id,
        "discarded": timer.discarded_at is not None,
    }


class EpisodeViewSet(ClinicScopedViewSet):
    clinic_field = "patient__clinic"

    def scoped_queryset(self):
        return Episode.objects.all()

    @extend_schema(summary="The patient's RTM episodes, newest first", responses=s.EpisodeSerializer(many=True))
    def list(self, request, patient_id=None):
        page = self.paginate_queryset(episodes_of(patient=self.get_patient()))
        return self.get_paginated_response(s.EpisodeSerializer(page, many=True).data)

    @extend_schema(
        summary="Start RTM monitoring",
        description="On an active enrolment; 409 while an episode runs or for a discharged patient.",
        request=s.EpisodeStartSerializer,
        responses={201: s.EpisodeSerializer, **error_responses(409)},
    )
    def start(self, request, patient_id=None):
        data = validated(s.EpisodeStartSerializer, request.data)
        episode = episode_start(patient=self.get_patient(), by=request.user, **data)
        return Response(s.EpisodeSerializer(episode).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Stop RTM monitoring",
        description="409 when no episode runs. A discharge ends the episode too, without this call.",
        request=s.EpisodeStopSerializer,
        responses={200: s.EpisodeSerializer, **error_responses(409)},
    )
    def stop(self, request, patient_id=None):
        data = validated(s.EpisodeStopSerializer, request.data)
        episode = episode_stop(patient=self.get_patient(), by=request.user, **data)
        return Response(s.EpisodeSerializer(episode).data)


class TimeEntryViewSet(ClinicScopedViewSet):
    clinic_field = "patient__clinic"
    lookup_url_kwarg = "entry_id"

    def scoped_queryset(self):
        return TimeEntry.objects.filter(patient_id=self.patient_id).select_related("clinician")

    @extend_schema(
        summary="Time spent on the patient's monitoring, newest first",
        description="A physio sees their own entries; a clinic admin everyone's (`?clinician=` narrows it).",
        parameters=[s.TimeEntryQuerySerializer],
        responses=s.TimeEntrySerializer(many=True),
    )
    def list(self, request, patient_id=None):
        query = validated(s.TimeEntryQuerySerializer, query_data(request))
        entries = time_entries_visible(
            patient=self.get_patient(), viewer=request.user, clinician_id=query.get("clinician")
        )
        page = self.paginate_queryset(entries)
        return self.get_paginated_response(s.TimeEntrySerializer([entry_shown(e) for e in page], many=True).data)

    @extend_schema(
        summary="Record your own time spent",
        request=s.TimeEntryCreateSerializer,
        responses={201: s.TimeEntrySerializer},
    )
    def create(self, request, patient_id=None):
        data = validated(s.TimeEntryCreateSerializer, request.data)
        entry = time_entry_record(patient=self.get_patient(), by=request.user, **data)
        return Response(s.TimeEntrySerializer(entry_shown(entry)).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Correct your own entry: a new entry that amends or reverses it (both are kept)",
        description="403 for another clinician's entry; 409 when it was corrected already or is a reversal.",
        request=s.TimeEntryCorrectionSerializer,
        responses={201: s.TimeEntrySerializer, **error_responses(409)},
    )
    def correct(self, request, patient_id=None, entry_id=None):
        data = validated(s.TimeEntryCorrectionSerializer, request.data)
        correction = time_entry_correct(entry=self.get_object(), by=request.user, **data)
        return Response(s.TimeEntrySerializer(entry_shown(correction)).data, status=status.HTTP_201_CREATED)


class TimerViewSet(ClinicScopedViewSet):
    """A clinician's own timers on this patient: another clinician's timer is not found."""

    clinic_field = "patient__clinic"
    lookup_url_kwarg = "timer_id"

    def scoped_queryset(self):
        user = getattr(self.request, "user", None)  # none while the schema is generated
        return Timer.objects.filter(patient_id=self.patient_id, clinician_id=getattr(user, "pk", None))

    @extend_schema(
        summary="Start a timer (kept on the server)",
        description="409 while you have another timer not yet confirmed or discarded.",
        request=None,
        responses={201: s.TimerSerializer, **error_responses(409)},
    )
    def start(self, request, patient_id=None):
        timer = timer_start(patient=self.get_patient(), by=request.user)
        return Response(s.TimerSerializer(timer_shown(timer)).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Your unconfirmed timers on this patient", responses=s.TimerSerializer(many=True))
    def list(self, request, patient_id=None):
        timers = self.get_queryset().filter(entry__isnull=True, discarded_at__isnull=True).order_by("-started_at")
        page = self.paginate_queryset(timers)
        return self.get_paginated_response(s.TimerSerializer([timer_shown(t) for t in page], many=True).data)

    @extend_schema(summary="Stop the timer", request=None, responses={200: s.TimerSerializer, **error_responses(409)})
    def stop(self, request, patient_id=None, timer_id=None):
        timer = timer_stop(timer=self.get_object(), by=request.user)
        return Response(s.TimerSerializer(timer_shown(timer)).data)

    @extend_schema(
        summary="Confirm the timer: it becomes a time entry from its start instant",
        request=s.TimerConfirmSerializer,
        responses={201: s.TimeEntrySerializer, **error_responses(409)},
    )
    def confirm(self, request, patient_id=None, timer_id=None):
        data = validated(s.TimerConfirmSerializer, request.data)
        entry = timer_confirm(timer=self.get_object(), by=request.user, **data)
        return Response(s.TimeEntrySerializer(entry_shown(entry)).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Discard the timer (no entry)", request=None, responses={200: s.TimerSerializer, **error_responses(409)}
    )
    def discard(self, request, patient_id=None, timer_id=None):
        timer = timer_discard(timer=self.get_object(), by=request.user)
        return Response(s.TimerSerializer(timer_shown(timer)).data)


class LedgerViewSet(ClinicScopedViewSet):
    clinic_field = "patient__clinic"

    def scoped_queryset(self):
        return RpmMonth.objects.all()

    @extend_schema(
        summary="The patient's RTM ledger for one month",
        description="Periods with data days, the month's minutes and live call, the codes earned and what is "
        "still missing. A closed month answers its frozen figures.",
        parameters=[s.LedgerQuerySerializer],
        responses=s.LedgerSerializer,
    )
    def ledger(self, request, patient_id=None):
        query = validated(s.LedgerQuerySerializer, query_data(request))
        patient = self.get_patient()
        month = query.get("month") or month_of(request.user.clinic)
        rows = clinic_month_rows(clinic=request.user.clinic, month=month, patient_ids=[patient.pk])
        return Response(s.LedgerSerializer({"month": month, "row": rows[0] if rows else None}).data)

    @extend_schema(
        summary="Record whether the patient's month was billed as RPM (then no RTM code for it)",
        request=s.RpmFlagSerializer,
        responses=s.RpmFlagSerializer,
    )
    def rpm(self, request, patient_id=None):
        data = validated(s.RpmFlagSerializer, request.data)
        rpm_flag_set(patient=self.get_patient(), by=request.user, **data)
        return Response(s.RpmFlagSerializer(data).data)
