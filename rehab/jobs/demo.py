"""Demo data for `manage.py seed_demo`: two clinics, their staff, and five patients with history.

Idempotent: people are found by username, events by (patient, kind, date),
and every log's client_id is a uuid5 of a stable name, so a second run stores
nothing new. Days are counted from each enrolment's stored start date, so a
run on a later day only adds the days that have passed since. Logs are made up
to yesterday in the patient's zone, so two runs on one day store the same rows.

Logs are written with the models directly (the demo invents history; it is not
a phone sending entries), with local_date in the patient's zone as ingestion
would set it. The alerts the dashboard opens on are real: raised by the
services themselves as of the run's clock (the review sweep judging a review
whose window has closed, a red flag sent through intake as the phone sends
it), each at most once.
"""

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from django.db import transaction

from config import clock
from patients.models import Clinic, Patient, User
from protocols.definition import TIER_RANK
from protocols.models import ProtocolVersion
from protocols.timeline import exercises_on
from rehab.care.models import ClinicalEvent, Enrollment, Milestone
from rehab.care.services.enrollment import enrollment_start
from rehab.intake.serializers import SymptomReportInSerializer
from rehab.intake.services import CREATED, log_record
from rehab.logs.models import ExerciseLog, MedicationLog, PainLog, SymptomReport
from rehab.logs.models import VisaAResponse as VisaA
from rehab.logs.visa_a import Q7_SCORES, Q8_SCORES, visa_a_score
from rehab.rules.services.review_sweep import OUTCOME_STATUS, milestones_judge_due

DEMO_CLINIC = "Demo Clinic"
OTHER_CLINIC = "Other Clinic"
# Fixed forever: changing it would make every demo log look new.
DEMO_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:rehab:seed-demo")


@dataclass(frozen=True)
class DemoPatient:
    username: str
    display_name: str
    protocol: str
    condition: str
    day: int  # the enrolment's day today, when first seeded
    timezone: str
    side: str
    pain: tuple[float, float]  # typical pain on day 0 and on `day`
    adherence: float  # share of prescribed sessions done
    visa_a: tuple[tuple[int, int], ...] = ()  # (day, target score)
    comorbidities: tuple[str, ...] = ()
    biomechanics: dict = field(default_factory=dict)
    story: str = ""
    # The review's window closed, unjudged, before the demo began: the review sweep judges it (a referral if not met).
    review_judged: bool = False
    red_flag: tuple[str, ...] = ()  # symptoms sent through intake on the seeded day's eve: the rules raise the alert


CALCIFIC = Patient.Condition.CALCIFIC_INSERTIONAL_TENDINOPATHY
HO = Patient.Condition.ACHILLES_HETEROTOPIC_OSSIFICATION

PATIENTS = (
    DemoPatient(
        "demo-patient-1", "Ruth Adams", "conservative-calcific-iat", CALCIFIC, 45, "Europe/London", "right",
        pain=(6.5, 2.5), adherence=0.9, visa_a=((2, 48), (43, 70)),
        story="conservative care, in the 6-8 week review window, improving",
    ),
    DemoPatient(
        # Day 58: the review's window (days 42-56) closed two days ago and its grace for offline phones is over.
        "demo-patient-2", "Tom Becker", "conservative-calcific-iat", CALCIFIC, 58, "Australia/Sydney", "left",
        pain=(6.0, 6.0), adherence=0.45, visa_a=((1, 44), (44, 47)), comorbidities=("kidney_disease",),
        review_judged=True,
        story="conservative care, review window closed, not improving: judged by the review sweep, referred",
    ),
    DemoPatient(
        "demo-patient-3", "Priya Shah", "post-surgical-calcific-iat", CALCIFIC, 20, "America/New_York", "right",
        pain=(5.0, 3.0), adherence=0.8, red_flag=("calf_pain", "calf_swelling"),
        story="post-surgical, walking boot with a 4 cm heel lift, calf pain and swelling reported: urgent",
    ),
    DemoPatient(
        "demo-patient-4", "Lars Nilsson", "conservative-achilles-ho", HO, 24, "Europe/Berlin", "left",
        pain=(5.0, 4.0), adherence=0.75, visa_a=((1, 55),),
        biomechanics={"forefoot_varus": True, "heel_varus": False, "pes_planus": True, "overpronation": True},
        story="heterotopic ossification, conservative care, immature HO on the bone scan",
    ),
    DemoPatient(
        "demo-patient-5", "Maria Lopez", "post-surgical-calcific-iat", CALCIFIC, 58, "America/Los_Angeles", "both",
        pain=(4.5, 3.0), adherence=0.7, visa_a=((57, 60),), comorbidities=("diabetes",),
        story="post-surgical, boot off two days ago, heel lift weaning",
    ),
)  # fmt: skip


@dataclass
class SeedResult:
    logins: list[dict]
    created: dict[str, int]


@transaction.atomic
def demo_seed(*, password: str) -> SeedResult:
    created: dict[str, int] = {}
    demo = _clinic(DEMO_CLINIC, "admin@demo-clinic.example", created)
    other = _clinic(OTHER_CLINIC, "admin@other-clinic.example", created)
    admin = _user("demo-admin", User.Role.CLINIC_ADMIN, demo, "Dana Admin", password, created)
    physio = _user("demo-physio", User.Role.PHYSIO, demo, "Pat Physio", password, created)
    other_physio = _user("other-physio", User.Role.PHYSIO, other, "Olive Other", password, created)
    logins = [_login(admin, "clinic admin"), _login(physio, "physiotherapist"), _login(other_physio, "physiotherapist")]
    for profile in PATIENTS:
        user = _user(profile.username, User.Role.PATIENT, demo, profile.display_name, password, created)
        patient = _patient(profile, user=user, clinic=demo, physio=physio, created=created)
        enrollment = _enrollment(profile, patient=patient, by=physio, created=created)
        _history(profile, patient=patient, enrollment=enrollment, physio=physio, created=created)
        _red_flag(profile, patient=patient, enrollment=enrollment, created=created)
        logins.append(_login(user, f"patient: {profile.story}"))
    _reviews_judge(created)
    return SeedResult(logins=logins, created={k: v for k, v in created.items() if v})


def _count(created: dict[str, int], what: str, n: int = 1) -> None:
    created[what] = created.get(what, 0) + n


def _login(user: User, role: str) -> dict:
    return {"username": user.username, "role": role, "clinic": user.clinic.name}


def _clinic(name: str, email: str, created: dict) -> Clinic:
    clinic, made = Clinic.objects.get_or_create(name=name, defaults={"admin_email": email})
    _count(created, "clinics", made)
    return clinic


def _user(username, role, clinic, display_name, password, created) -> User:
    """A clinic user, never staff nor superuser: the Django admin reads every clinic, and is for operators."""
    user, made = User.objects.get_or_create(
        username=username, defaults={"role": role, "clinic": clinic, "display_name": display_name}
    )
    _count(created, "users", made)
    # An earlier demo made its clinic admin a superuser, with the demo's well-known password.
    if user.is_staff or user.is_superuser:
        user.is_staff = user.is_superuser = False
        user.save(update_fields=["is_staff", "is_superuser"])
        _count(created, "admin rights removed")
    # Re-hashing an unchanged password would rewrite the row on every run.
    if made or not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
        _count(created, "passwords set", not made)
    return user


def _patient(profile: DemoPatient, *, user: User, clinic: Clinic, physio: User, created: dict) -> Patient:
    patient, made = Patient.objects.get_or_create(
        user=user,
        defaults={
            "clinic": clinic,
            "display_name": profile.display_name,
            "timezone": profile.timezone,
            "side": profile.side,
            "condition": profile.condition,
            "assigned_physio": physio,
            "comorbidities": list(profile.comorbidities),
            "biomechanics": profile.biomechanics,
        },
    )
    _count(created, "patients", made)
    return patient


def _enrollment(profile: DemoPatient, *, patient: Patient, by: User, created: dict) -> Enrollment:
    existing = patient.enrollments.select_related("protocol_version").order_by("-start_date").first()
    if existing is not None:
        return existing
    version = ProtocolVersion.objects.filter(protocol__code=profile.protocol).order_by("-version").first()
    start = clock.local_today(patient.timezone) - timedelta(days=profile.day)
    enrollment = enrollment_start(
        patient=patient, protocol_version=version, start_date=start, reason="Demo patient", by=by
    )
    # The demo patient lived through these days: baselines and transitions in
    # the past happened, rather than being skipped as for a late enrolment.
    Milestone.objects.filter(
        enrollment=enrollment, status=Milestone.Status.SKIPPED, kind__in=("baseline", "transition")
    ).update(status=Milestone.Status.DONE, decided_at=clock.now())
    if profile.review_judged:
        # Skipped as a late enrolment's would be; but nobody decided this review in its window, so it is
        # due, and the review sweep judges it (_reviews_judge) as it would have at the window's end.
        Milestone.objects.filter(enrollment=enrollment, status=Milestone.Status.SKIPPED, kind="review").update(
            status=Milestone.Status.PENDING
        )
    _count(created, "enrollments")
    return enrollment


def _history(profile: DemoPatient, *, patient: Patient, enrollment: Enrollment, physio: User, created: dict) -> None:
    definition = enrollment.protocol_version.definition
    tz = patient.timezone
    start = enrollment.start_date
    days = (clock.local_today(tz) - start).days  # logs up to yesterday, local
    plan_days = max(profile.day, 1)
    pain, exercise, visa = [], [], []
    for day in range(days):
        on = start + timedelta(days=day)
        rng = random.Random(f"{profile.username}:{day}")
        typical = profile.pain[0] + (profile.pain[1] - profile.pain[0]) * min(day, plan_days) / plan_days
        morning = _score(typical + 0.5 + rng.uniform(-1, 1))
        pain.append(_pain(patient, day, on, time(7, 30), morning, "morning", profile))
        if rng.random() < 0.6:
            activity = _score(typical + rng.uniform(-1, 1.5))
            pain.append(_pain(patient, day, on, time(18, 0), activity, "activity", profile))
        done_any = False
        for ex in exercises_on(definition, day, patient.exercise_overrides):
            for session in range(ex["times_per_day"]):
                if rng.random() >= profile.adherence:
                    continue
                done_any = True
                at = clock.local_instant(on, time(9 + 8 * session, 0), tz)
                exercise.append(
                    ExerciseLog(
                        patient=patient,
                        client_id=_client_id(profile, "exercise", day, ex["code"], session),
                        local_date=on,
                        received_at=at + timedelta(minutes=20),
                        performed_at=at,
                        exercise=ex["code"],
                        sets=ex["sets"],
                        reps=ex["reps"],
                        completed=True,
                        pain_during=_score(typical - 1 + rng.uniform(-1, 1)),
                    )
                )
        if done_any:
            score = _score(typical - 0.5 + rng.uniform(-1, 1))
            pain.append(_pain(patient, day, on, time(10, 0), score, "after_exercise", profile))
    for day, target in profile.visa_a:
        if day < days:
            visa.append(_visa_a(patient, start + timedelta(days=day), target, profile, day))
    _store(PainLog, patient, pain, created)
    _store(ExerciseLog, patient, exercise, created)
    _store(VisaA, patient, visa, created)
    _store(SymptomReport, patient, _symptoms(profile, patient, definition, start, days), created)
    _store(MedicationLog, patient, _medication(profile, patient, start, days), created)
    _clinical_events(profile, patient=patient, start=start, days=days, physio=physio, created=created)


def _store(model, patient: Patient, rows: list, created: dict) -> None:
    known = set(model.objects.filter(patient=patient).values_list("client_id", flat=True))
    new = [row for row in rows if row.client_id not in known]
    model.objects.bulk_create(new)
    _count(created, model._meta.verbose_name_plural, len(new))


def _client_id(profile: DemoPatient, *parts) -> uuid.UUID:
    return uuid.uuid5(DEMO_NAMESPACE, ":".join(str(p) for p in (profile.username, *parts)))


def _score(value: float) -> int:
    return max(0, min(10, round(value)))


def _pain(patient: Patient, day: int, on: date, at: time, score: int, context: str, profile: DemoPatient) -> PainLog:
    recorded = clock.local_instant(on, at, patient.timezone)
    return PainLog(
        patient=patient,
        client_id=_client_id(profile, "pain", day, context),
        local_date=clock.local_date_of(recorded, patient.timezone),
        received_at=recorded + timedelta(minutes=2),
        recorded_at=recorded,
        score=score,
        context=context,
    )


def _visa_a(patient: Patient, on: date, target: int, profile: DemoPatient, day: int) -> VisaA:
    answers = visa_a_answers(target)
    at = clock.local_instant(on, time(20, 0), patient.timezone)
    return VisaA(
        patient=patient,
        client_id=_client_id(profile, "visa-a", day),
        local_date=on,
        received_at=at + timedelta(minutes=1),
        completed_at=at,
        score=visa_a_score(answers),
        **answers,
    )


def visa_a_answers(target: int) -> dict:
    """Plausible answers whose VISA-A total is `target` (0-100).

    Sport participation (Q7) rises with the score; Q8 is answered on the
    "no pain while loading" branch only at 90 and above, since pain caps it.
    """
    target = max(0, min(100, target))
    q7_wanted = 0 if target < 35 else 4 if target < 60 else 7 if target < 85 else 10
    branch_wanted = "A" if target >= 90 else "B" if target >= 30 else "C"
    candidates = [
        (q7, branch, q8)
        for q7 in Q7_SCORES
        for branch, scores in Q8_SCORES.items()
        for q8 in scores
        if 0 <= target - q7 - q8 <= 60
    ]
    q7, branch, q8 = min(candidates, key=lambda c: (c[1] != branch_wanted, c[0] != q7_wanted, -c[2]))
    rest = target - q7 - q8
    items = [rest // 6 + (1 if i < rest % 6 else 0) for i in range(6)]
    return {**{f"q{i + 1}": v for i, v in enumerate(items)}, "q7": q7, "q8_branch": branch, "q8": q8}


def _symptoms(profile: DemoPatient, patient: Patient, definition, start: date, days: int) -> list[SymptomReport]:
    if definition.care != "post_surgical" or days <= 15:
        return []
    on = start + timedelta(days=15)
    codes = ["pressure_sore"]
    tier = max((definition.red_flags.tier_of(c) for c in codes), key=TIER_RANK.__getitem__)
    at = clock.local_instant(on, time(19, 0), patient.timezone)
    return [
        SymptomReport(
            patient=patient,
            client_id=_client_id(profile, "symptoms", 15),
            local_date=on,
            received_at=at,
            reported_at=at,
            symptoms=codes,
            note="The boot rubs at the back of the heel.",
            tier=tier,
            advice=definition.red_flags.advice[tier],
        )
    ]


def _medication(profile: DemoPatient, patient: Patient, start: date, days: int) -> list[MedicationLog]:
    """A short course of topical NSAID in the first week: acute relief, within the short-term limit.

    Not for a patient with kidney disease, for whom any NSAID is a safety alert.
    """
    if Patient.Comorbidity.KIDNEY_DISEASE in profile.comorbidities:
        return []
    rows = []
    for day in range(1, min(days, 6)):
        on = start + timedelta(days=day)
        rows.append(
            MedicationLog(
                patient=patient,
                client_id=_client_id(profile, "medication", day),
                local_date=on,
                received_at=clock.local_instant(on, time(21, 0), patient.timezone),
                taken_on=on,
                kind=MedicationLog.Kind.NSAID,
                name="Ibuprofen gel",
                route=MedicationLog.Route.TOPICAL,
            )
        )
    return rows


def _clinical_events(profile: DemoPatient, *, patient: Patient, start: date, days: int, physio: User, created) -> None:
    events = []
    if profile.protocol.startswith("post-surgical"):
        events.append((ClinicalEvent.Kind.SURGERY, start, {}))
    if profile.condition == HO:
        events.append((ClinicalEvent.Kind.IMAGING, start - timedelta(days=21), _imaging("radiograph")))
        if days > 10:
            events.append((ClinicalEvent.Kind.IMAGING, start + timedelta(days=10), _imaging("bone_scan")))
    for kind, on, details in events:
        _, made = ClinicalEvent.objects.get_or_create(
            patient=patient, kind=kind, date=on, defaults={"details": details, "recorded_by": physio}
        )
        _count(created, "clinical events", made)


def _imaging(modality: str) -> dict:
    return {"modality": modality, "ho_maturity": "immature"}


def _reviews_judge(created: dict) -> None:
    """The review sweep as of the run's clock, as beat runs it every hour: due reviews judged on their logs.

    The sweep of the whole database, not of the demo's patients alone: it only does now what beat
    would do within the hour, and judges only what nobody decided in time; a review decided since
    (by the sweep on an earlier run, or by a physio) is never due again.
    """
    decided = milestones_judge_due(now=clock.now())
    judged = sum(decided.get(status, 0) for status in OUTCOME_STATUS.values())  # reviews; not checks closed
    _count(created, "reviews judged", judged)


def _red_flag(profile: DemoPatient, *, patient: Patient, enrollment: Enrollment, created: dict) -> None:
    """A symptom report sent through intake, as the phone sends it, so the safety rules raise its alert.

    Dated the evening before the seeded day (a fixed day of the enrolment), under a stable client_id:
    a later run sends the same entry again, which intake answers as a duplicate and raises nothing.
    """
    if not profile.red_flag:
        return
    on = enrollment.start_date + timedelta(days=profile.day - 1)
    entry = SymptomReportInSerializer(
        data={
            "client_id": str(_client_id(profile, "red-flag")),
            "reported_at": clock.local_instant(on, time(19, 0), patient.timezone).isoformat(),
            "symptoms": list(profile.red_flag),
            "note": "The calf has been sore and swollen since this morning.",
        }
    )
    entry.is_valid(raise_exception=True)
    _, outcome = log_record(patient=patient, kind="symptom_reports", data=entry.validated_data)
    _count(created, "red flags reported", outcome == CREATED)
