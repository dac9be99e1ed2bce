"""The patient's own copy in the contract's JSON shapes (`GET /me/export/?format=json`).

Each part is what the API already answers for it (the /me/ profile, the clinicians' record, each log
kind's answers, clinical events, alerts), so the copy and the API never disagree; plus what only
this copy shows: devices and reminders.
"""

from config import clock
from patients.models import Device, Patient, User
from rehab.alerts.api.serializers import AlertSerializer
from rehab.alerts.api.views import alert_for_clinic
from rehab.alerts.models import Alert
from rehab.care.models import ClinicalEvent
from rehab.intake.registry import KINDS
from rehab.records.api.serializers import PatientDetailSerializer
from rehab.records.selectors.patient import patient_detail
from rehab.records.selectors.profile import me_profile
from rehab.reminders.models import Reminder
from rehab.rules.api.serializers import ClinicalEventSerializer


def patient_export_json(*, patient: Patient, user: User) -> dict:
    record = PatientDetailSerializer(patient_detail(patient)).data
    record.pop("recent_logs")  # every log is below, by kind
    export = {"format": "json", "exported_at": clock.now().isoformat(), "me": me_profile(user), "patient": record}
    for key, kind in KINDS.items():
        rows = kind.model.objects.filter(patient=patient).order_by(kind.when, "id")
        export[key] = kind.out_serializer(rows, many=True, context=kind.answer_context(patient)).data
    events = ClinicalEvent.objects.filter(patient=patient).select_related("recorded_by").order_by("date", "id")
    export["clinical_events"] = ClinicalEventSerializer(events, many=True).data
    alerts = (
        Alert.objects.filter(patient=patient)
        .select_related("patient", "milestone", "acknowledged_by", "resolved_by")
        .order_by("created_at", "id")
    )
    export["alerts"] = AlertSerializer([alert_for_clinic(a) for a in alerts], many=True).data
    export["devices"] = list(
        Device.objects.filter(patient=patient).order_by("id").values("platform", "token", "created_at", "last_seen_at")
    )
    export["reminders"] = list(
        Reminder.objects.filter(patient=patient)
        .order_by("due_at", "id")
        .values("kind", "slot", "due_at", "title", "body", "status", "sent_at")
    )
    return export
