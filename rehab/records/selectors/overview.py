"""One patient's page for a clinician: the record, today's plan, the charts, the dated timeline, the alerts.

Composed from the selectors the API answers with (patient_detail, patient_plan,
the section-4 measures), so the page and the API cannot disagree. A fixed
number of queries however long the enrolment.
"""

from dataclasses import dataclass
from datetime import date

from config import clock
from patients.models import Patient
from protocols.timeline import DatedMilestone, DatedPhase, dated_phases, next_milestone
from rehab.alerts.models import Alert
from rehab.care.models import Enrollment, Milestone
from rehab.care.selectors.plan import patient_plan
from rehab.records.selectors.charts import patient_charts
from rehab.records.selectors.patient import patient_detail

ALERTS_SHOWN = 50


@dataclass(frozen=True)
class PatientOverview:
    patient: Patient  # with patient_detail's enrollment_history, current_milestones and recent_logs
    today: date  # the patient's own
    enrollment: Enrollment | None  # the current one, else the latest
    plan: dict | None  # the contract's Plan for today
    next_milestone: DatedMilestone | None
    phases: list[DatedPhase]
    milestones: list[Milestone]
    charts: dict | None
    alerts: list[Alert]

    @property
    def day(self) -> int | None:
        return None if self.enrollment is None else (self.today - self.enrollment.start_date).days


def patient_overview(*, patient: Patient) -> PatientOverview:
    patient = patient_detail(patient)
    today = clock.local_today(patient.timezone)
    history = patient.enrollment_history
    enrollment = next((e for e in history if e.is_current), history[0] if history else None)
    milestones = patient.current_milestones
    undecided = [
        DatedMilestone(m.code, m.name, m.window_start, m.window_end)
        for m in milestones
        if m.status in Milestone.UNDECIDED
    ]
    alerts = list(
        Alert.objects.filter(patient=patient)
        .select_related("milestone__enrollment", "milestone__decided_by", "acknowledged_by", "resolved_by", "patient")
        .order_by("-created_at", "-id")[:ALERTS_SHOWN]
    )
    definition = None if enrollment is None else enrollment.protocol_version.definition
    return PatientOverview(
        patient=patient,
        today=today,
        enrollment=enrollment,
        plan=patient_plan(patient=patient, on=today),
        next_milestone=next_milestone(undecided, today),
        phases=[] if definition is None else dated_phases(definition, enrollment.start_date),
        milestones=milestones,
        charts=None
        if enrollment is None
        else patient_charts(patient=patient, enrollment=enrollment, today=today, milestones=milestones),
        alerts=alerts,
    )
