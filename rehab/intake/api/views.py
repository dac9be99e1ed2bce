"""The phone app's endpoints: /api/v1/me/... (a patient's own data) and the red-flag table.

Every /me/ view is a PatientView: signed in as a patient with a Patient row,
and every read or write goes through `self.patient`, so no view can reach
another patient's data. Staff get 403.
"""

from __future__ import annotations  # `list` in the LogView's annotations is the builtin, not its method

from collections.abc import Callable
from functools import cache

from django.db import models
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error

from config.api.errors import safe_text
from config.api.quick_writer import quick_writer
from config.api.schema import error_responses
from config.api.serializers import query_data
from patients.api.base import PatientView
from patients.models import Patient
from rehab.intake.api.bodies import log_bodies_store, log_bodies_validate
from rehab.intake.api.serializers import SYNC_ANSWERS, SinceQuerySerializer, SyncInSerializer, SyncOutSerializer
from rehab.intake.registry import KINDS, LogKind, no_answer_context
from rehab.intake.selectors import patient_logs_page
from rehab.intake.services import CONFLICT, CREATED, INVALID, LogOutcome, log_record


class LogView(PatientView, generics.ListAPIView):
    """GET lists the patient's entries of one kind (newest first); POST stores one, idempotently by client_id."""

    # The service's refusals (LogInvalid, LogConflict) are domain errors, answered by the API's exception handler.
    kind: LogKind  # set by log_view, one subclass per kind

    def _since(self):
        return _SINCE_QUERY.run_validation(query_data(self.request)).get("since")

    def get_serializer_context(self) -> dict:
        return {**super().get_serializer_context(), **self.kind.answer_context(self.patient)}

    def list(self, request):
        since, patient_id, kind = self._since(), self.patient.pk, self.kind.key

        def page_of(offset: int, limit: int):  # the page and its count in one statement, compiled once
            return patient_logs_page(patient_id=patient_id, kind=kind, since=since, offset=offset, limit=limit)

        return self.get_paginated_response(self._answers(self.paginator.paginate_with(request, page_of)))

    def post(self, request):
        [(data, errors)] = log_bodies_validate(self.kind.key, [request.data])
        if errors is not None:
            raise ValidationError(errors)
        record, outcome = log_record(patient=self.patient, kind=self.kind.key, data=data)
        code = status.HTTP_201_CREATED if outcome == CREATED else status.HTTP_200_OK
        return Response(self._answers([record])[0], status=code)

    def _answers(self, records: list[models.Model]) -> list[dict]:
        """The records as the kind's serializer writes them; one serializer per process where no context is needed.

        Building a serializer's fields is most of what it costs, and writing a record keeps no state in it.
        A kind whose answer reads the patient's data (answer_context) gets a serializer of its own per request.
        """
        if self.kind.answer_context is no_answer_context:
            return _answer_writer(self.kind.key)(records)
        serializer = self.serializer_class(records, many=True, context=self.get_serializer_context())
        return list(serializer.data)


@cache
def _answer_writer(kind: str) -> Callable[[list[models.Model]], list[dict]]:
    """The kind's answers for records: its serializer's quick writer (config.api.quick_writer), or the serializer."""
    serializer = KINDS[kind].out_serializer(context={})
    return quick_writer(serializer) or (lambda records: [serializer.to_representation(r) for r in records])


_SINCE_QUERY = SinceQuerySerializer()  # validating keeps no state in it (see rehab.intake.api.bodies)


_SINCE = OpenApiParameter("since", OpenApiTypes.DATETIME, description="Only entries received after this instant.")


def log_view(kind: LogKind) -> type[LogView]:
    """The LogView of one kind, documented with the real statuses of its list and create."""
    view = type(
        f"{kind.model.__name__}View",
        (LogView,),
        {
            "__module__": __name__,
            "kind": kind,
            "serializer_class": kind.out_serializer,
            "queryset": kind.model.objects.none(),  # tells the schema the model; never queried
        },
    )
    return extend_schema_view(
        get=extend_schema(summary=f"The patient's {kind.name}, newest first", parameters=[_SINCE]),
        post=extend_schema(
            summary=f"Store one of the patient's {kind.name}",
            description=(
                "201 when stored; 200 with the stored record when this client_id was already stored with the same "
                "content (nothing is stored); 409 when it was stored with other content. A time more than 5 "
                "minutes in the future, or before the patient's first enrolment (medication: more than 12 months "
                "back), is 400."
            ),
            request=kind.in_serializer,
            responses={
                201: kind.out_serializer,
                200: OpenApiResponse(kind.out_serializer, description="A replay: the stored record."),
                **error_responses(400, 409),
            },
        ),
    )(view)


class SyncView(PatientView):
    @extend_schema(
        summary="A batch from a phone that was offline",
        description=(
            "Each item is validated as by its single endpoint: valid items are stored (together) even when a "
            "sibling is not, and a replayed batch stores nothing twice. The answer is 200 with one "
            "result per item, in the order sent; a stored symptom report's result carries its `advice` and a "
            "stored exercise log's its `load_advice`, as their single endpoints answer. A body that is not lists "
            "of objects is 400."
        ),
        request=SyncInSerializer,
        responses={200: SyncOutSerializer},
    )
    def post(self, request):
        try:  # as is_valid(raise_exception=True) checks it, without building the batch's fields at every request
            batch = _SYNC_BATCH.run_validation(request.data)
        except ValidationError as exc:
            raise ValidationError(as_serializer_error(exc)) from None
        return Response({"results": sync_batch(self.patient, batch)})


_SYNC_BATCH = SyncInSerializer()  # validating keeps no state in it (see rehab.intake.api.bodies)


def sync_batch(patient: Patient, batch: dict[str, list]) -> dict[str, list[dict]]:
    """One result per item, per kind, in the order sent."""
    bodies = [(patient, kind, item) for kind, items in batch.items() for item in items]
    outcomes = iter(log_bodies_store(bodies))
    results = {}
    for kind, items in batch.items():
        answer = _answer_of(patient, kind)
        results[kind] = [_sync_result(item, next(outcomes), answer) for item in items]
    return results


def _answer_of(patient: Patient, kind: str) -> Callable[[models.Model | None], dict]:
    """What a result repeats of the single endpoint's answer (SYNC_ANSWERS), given the stored record or None."""
    if kind not in SYNC_ANSWERS:
        return lambda record: {}
    field, _ = SYNC_ANSWERS[kind]
    log_kind = KINDS[kind]

    @cache
    def writer():  # one serializer for the batch (building its fields is most of its cost), only if one was stored
        return log_kind.out_serializer(context=log_kind.answer_context(patient)).fields[field]

    def answer(record: models.Model | None) -> dict:
        if record is None:
            return {field: None}
        written = writer()  # the one field, bound to its serializer, as the single endpoint writes it
        return {field: written.to_representation(written.get_attribute(record))}

    return answer


def _sync_result(item, outcome: LogOutcome, answer: Callable[[models.Model | None], dict]) -> dict:
    client_id = item.get("client_id") if isinstance(item, dict) else None
    result = {"client_id": safe_text(client_id) if isinstance(client_id, str) else None, "id": None, "errors": {}}
    if outcome.status == INVALID:
        return {**result, "status": INVALID, "errors": outcome.errors, **answer(None)}
    if outcome.status == CONFLICT:
        errors = {"client_id": ["Already used with other content."]}
        return {**result, "status": CONFLICT, "errors": errors, **answer(None)}
    return {**result, "status": outcome.status, "id": outcome.record.pk, **answer(outcome.record)}
