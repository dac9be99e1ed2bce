"""The clinician dashboard: one row per patient with its aggregates, in a fixed number of queries.

Design. Everything a physio can filter or order on is computed in SQL, as
annotations of one Patient queryset, so filtering, ordering and pagination
happen in the database over the whole clinic and the page is just a slice:

- Each patient's "today" is in the patient's own zone. It comes from the one
  clock (config.clock), never the database's NOW(): the clinic's distinct
  zones are read first (one small query), each zone's local date is computed
  in Python, and the dates go into the query as a CASE on the timezone
  column. So the dashboard agrees with the plan endpoint to the day, and tests
  move time with time-machine.
- The current enrolment (the one covering the patient's today) is a
  correlated subquery; `day` is today minus its start date.
- `pain_7d_mean` (mean of daily means over the 7 local days ending today) is a
  correlated subquery averaging a per-day GROUP BY, so ordering by it is SQL.
- `latest_pain`, `visa_a_latest`, `last_log_at` and `open_alerts` are
  correlated subqueries on (patient, ...) indexes.
- `?phase=` is data, not code: for every protocol version whose definition
  has that phase, "current enrolment on that version and day within the
  phase's days".

`adherence_7d` needs each day's prescription from the protocol definition (and
the patient's own dosage), which lives in data the database cannot read as
SQL. It is computed in Python in a fixed number of queries
(rehab.selectors.adherence): for the page's rows normally, and, only when the
list is ordered by it, for the whole filtered set first (two cheap queries
over ids and dates), whose order is then handed back to SQL with
array_position so that counting and slicing stay in the database.

The page's remaining values (baselines of section 4, next milestone) are
batch-loaded for the page with rehab.selectors.measures: one query per kind.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction

from django.db.models import (
    Avg,
    Case,
    Count,
    DateField,
    DateTimeField,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, NullIf

from config import clock
from patients.models import Patient
from protocols.definition import ProtocolDefinition
from protocols.selectors import protocol_versions_by_id
from protocols.timeline import DatedMilestone, next_milestone
from rehab.alerts.models import Alert
from rehab.care.models import Enrollment, Milestone
from rehab.care.selectors.adherence import AdherenceSubject, adherence_7d
from rehab.care.selectors.measures import daily_pain_means, visa_a_scores
from rehab.intake.registry import KINDS
from rehab.logs.models import PainLog, VisaAResponse
from rehab.records.selectors.baselines import baseline_window

ORDERING_FIELDS = ("display_name", "day", "pain_7d_mean", "adherence_7d", "last_log_at", "open_alerts")
# The web dashboard's default order (not offered by the API, whose orderings are the contract's).
BY_NEED = "need"
PAIN_MEAN_DAYS = 7
# "Reviews due this week": a review whose window is open or opens within this many days.
REVIEW_DUE_DAYS = 7
URGENT_SEVERITIES = (Alert.Severity.URGENT, Alert.Severity.EMERGENCY)


class Need:
    """The ranks of BY_NEED, most pressing first."""

    URGENT_ALERTS, ROUTINE_ALERTS, REVIEW_DUE, REST = range(4)


@dataclass(frozen=True)
class DashboardQuery:
    search: str = ""
    has_open_alerts: bool | None = None
    phase: str = ""
    status: str = ""
    ordering: str = "display_name"
    # The web dashboard's "My patients" and its default of hiding discharged patients.
    assigned_physio_id: int | None = None
    exclude_discharged: bool = False


class MeanOfDailyMeans(Subquery):
    """(SELECT AVG(v) FROM (<per-day means>) d): a mean of means, which one level of SQL aggregate cannot say."""

    template = "(SELECT AVG(_daily.v) FROM (%(subquery)s) _daily(v))"
    output_field = FloatField()

    def as_sqlite(self, compiler, connection, **extra):
        # SQLite (the embedded default) has no derived-column lists; the inner column is already named v.
        return self.as_sql(compiler, connection, template="(SELECT AVG(_daily.v) FROM (%(subquery)s) _daily)", **extra)


class DaysBetween(Func):
    """date - date in PostgreSQL is an integer number of days."""

    arg_joiner = " - "
    template = "(%(expressions)s)"
    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra,
        )


class RankIn(Func):
    """Where a row's id stands in a list ranked in Python: the order handed back to SQL."""

    output_field = IntegerField()

    def __init__(self, ranked: list[int], expression, **extra):
        self.ranked = list(ranked)
        super().__init__(expression, **extra)

    def as_sql(self, compiler, connection, **extra):
        pk_sql, params = compiler.compile(self.source_expressions[0])
        return f"array_position(%s::bigint[], {pk_sql})", [self.ranked, *params]

    def as_sqlite(self, compiler, connection, **extra):
        # No arrays: the position of ",id," in ",a,b,c," grows with the rank just the same.
        pk_sql, params = compiler.compile(self.source_expressions[0])
        return f"instr(%s, ',' || {pk_sql} || ',')", [",{},".format(",".join(map(str, self.ranked))), *params]


class LatestOf(Greatest):
    """The latest of some instants, skipping nulls on every backend.

    PostgreSQL's GREATEST skips NULLs; SQLite's MAX(a, b, ...) is NULL as soon as one is, so there
    each term stands in as the earliest instant when null, and that instant comes back as null.
    """

    def as_sqlite(self, compiler, connection, **extra_context):
        never = Value(datetime.min.replace(tzinfo=UTC), output_field=DateTimeField())
        terms = [Coalesce(term, never) for term in self.get_source_expressions()]
        return compiler.compile(NullIf(Greatest(*terms, output_field=DateTimeField()), never))


def _per_zone(dates: Mapping[str, date]) -> Case:
    return Case(*(When(timezone=tz, then=Value(d)) for tz, d in dates.items()), output_field=DateField())


class PatientDashboard:
    """The dashboard of one clinic as of one instant: `patients` to paginate, `rows(page)` to render."""

    def __init__(self, *, clinic_id: int, query: DashboardQuery, now: datetime | None = None):
        self.clinic_id = clinic_id
        self.query = query
        self.now = now or clock.now()
        self.versions = protocol_versions_by_id()
        zones = Patient.objects.filter(clinic_id=clinic_id).values_list("timezone", flat=True).distinct().order_by()
        self.today_by_zone = {tz: clock.local_today(tz, at=self.now) for tz in zones}
        self.patients = self._ordered(self._filtered(self._annotated()))

    # --- the SQL part -----------------------------------------------------
    def _annotated(self) -> QuerySet[Patient]:
        week_start = {tz: d - timedelta(days=PAIN_MEAN_DAYS - 1) for tz, d in self.today_by_zone.items()}
        current = (
            Enrollment.objects.filter(patient_id=OuterRef("pk"), start_date__lte=OuterRef("local_today"))
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=OuterRef("local_today")))
            .order_by("-start_date")
        )
        pain = PainLog.objects.filter(patient_id=OuterRef("pk")).order_by("-recorded_at", "-id")
        daily_means = (
            PainLog.objects.filter(
                patient_id=OuterRef("pk"),
                local_date__gte=OuterRef("pain_week_start"),
                local_date__lte=OuterRef("local_today"),
            )
            .order_by()
            .values("local_date")
            .annotate(v=Avg("score"))
            .values("v")
        )
        last_received = [
            Subquery(
                kind.model.objects.filter(patient_id=OuterRef("pk")).order_by("-received_at").values("received_at")[:1]
            )
            for kind in KINDS.values()
        ]
        open_alerts = (
            Alert.objects.filter(patient_id=OuterRef("pk"), status=Alert.Status.OPEN)
            .order_by()
            .values("patient_id")
            .annotate(n=Count("id"))
            .values("n")
        )
        return (
            Patient.objects.filter(clinic_id=self.clinic_id)
            .annotate(local_today=_per_zone(self.today_by_zone), pain_week_start=_per_zone(week_start))
            .annotate(
                enrollment_id=Subquery(current.values("id")[:1]),
                enrollment_start=Subquery(current.values("start_date")[:1]),
                enrollment_version_id=Subquery(current.values("protocol_version_id")[:1]),
                latest_pain_score=Subquery(pain.values("score")[:1]),
                latest_pain_at=Subquery(pain.values("recorded_at")[:1]),
                pain_7d_mean=MeanOfDailyMeans(daily_means),
                visa_a_latest=Subquery(
                    VisaAResponse.objects.filter(patient_id=OuterRef("pk"))
                    .order_by("-completed_at", "-id")
                    .values("score")[:1]
                ),
                # Every kind of the registry: null only when nothing was logged.
                last_log_at=LatestOf(*last_received),
                open_alerts=Coalesce(Subquery(open_alerts, output_field=IntegerField()), 0),
            )
            .annotate(day=DaysBetween(F("local_today"), F("enrollment_start")))
        )

    def _filtered(self, qs: QuerySet[Patient]) -> QuerySet[Patient]:
        q = self.query
        if q.search:
            qs = qs.filter(display_name__icontains=q.search)
        if q.status:
            qs = qs.filter(status=q.status)
        if q.has_open_alerts is not None:
            qs = qs.filter(open_alerts__gt=0) if q.has_open_alerts else qs.filter(open_alerts=0)
        if q.phase:
            qs = qs.filter(self._phase_clause(q.phase))
        if q.assigned_physio_id is not None:
            qs = qs.filter(assigned_physio_id=q.assigned_physio_id)
        if q.exclude_discharged:
            qs = qs.exclude(status=Patient.Status.DISCHARGED)
        return qs

    def _phase_clause(self, code: str) -> Q:
        clause = Q(pk__in=[])  # a phase no protocol has matches nobody
        for version in self.versions.values():
            for phase in version.definition.phases:
                if phase.code != code:
                    continue
                part = Q(enrollment_version_id=version.pk, day__gte=phase.first_day)
                if phase.last_day is not None:
                    part &= Q(day__lte=phase.last_day)
                clause |= part
        return clause

    def _ordered(self, qs: QuerySet[Patient]) -> QuerySet[Patient]:
        ordering = self.query.ordering or "display_name"
        descending = ordering.startswith("-")
        name = ordering.lstrip("-")
        if name == BY_NEED:
            week_ahead = {tz: d + timedelta(days=REVIEW_DUE_DAYS) for tz, d in self.today_by_zone.items()}
            qs = qs.annotate(review_horizon=_per_zone(week_ahead)).annotate(need=self._need())
            return qs.order_by("need", "display_name", "pk")
        if name not in ORDERING_FIELDS:
            raise ValueError(f"cannot order by {ordering}")
        if name == "adherence_7d":
            qs = qs.annotate(adherence_rank=self._adherence_rank(qs, descending=descending))
            return qs.order_by("adherence_rank", "display_name", "pk")
        expression = F(name).desc(nulls_last=True) if descending else F(name).asc(nulls_last=True)
        return qs.order_by(expression, "display_name", "pk")

    def _need(self) -> Case:
        """Open emergency/urgent alerts, then routine ones, then a review due this week, then the rest."""
        open_alerts = Alert.objects.filter(patient_id=OuterRef("pk"), status=Alert.Status.OPEN)
        review_due = Milestone.objects.filter(
            enrollment_id=OuterRef("enrollment_id"),
            kind="review",
            status__in=Milestone.UNDECIDED,
            window_start__lte=OuterRef("review_horizon"),
            window_end__gte=OuterRef("local_today"),
        )
        return Case(
            When(Exists(open_alerts.filter(severity__in=URGENT_SEVERITIES)), then=Value(Need.URGENT_ALERTS)),
            When(Exists(open_alerts), then=Value(Need.ROUTINE_ALERTS)),
            When(Exists(review_due), then=Value(Need.REVIEW_DUE)),
            default=Value(Need.REST),
            output_field=IntegerField(),
        )

    def _adherence_rank(self, qs: QuerySet[Patient], *, descending: bool) -> RankIn:
        """Ranks the whole filtered set by adherence (nulls last, then name) and hands the order to SQL."""
        rows = list(qs.order_by().values_list("pk", "display_name", "timezone", "exercise_overrides"))
        values = adherence_7d(
            (AdherenceSubject(pk, self._today(tz), overrides) for pk, _, tz, overrides in rows),
            versions=self.versions,
        )
        with_value = [r for r in rows if values[r[0]] is not None]
        sign = -1 if descending else 1  # only the value reverses; equals stay in name order
        with_value.sort(key=lambda r: (sign * values[r[0]], r[1].casefold(), r[0]))
        without = sorted((r for r in rows if values[r[0]] is None), key=lambda r: (r[1].casefold(), r[0]))
        ranked = [r[0] for r in with_value + without]
        return RankIn(ranked, F("pk"))

    # --- the page ---------------------------------------------------------
    def rows(self, page: Iterable[Patient]) -> list[dict]:
        """The contract's dashboard rows for one page of `patients`: a fixed number of queries for any page."""
        page = list(page)
        for p in page:
            if p.local_today is None:  # a patient whose zone appeared after the zones were read
                p.local_today = self._today(p.timezone)
        adherence = adherence_7d(
            (AdherenceSubject(p.pk, p.local_today, p.exercise_overrides) for p in page), versions=self.versions
        )
        baselines = self._baselines(page)
        upcoming = self._next_milestones(page)
        return [self._row(p, adherence.get(p.pk), baselines.get(p.pk, (None, None)), upcoming.get(p.pk)) for p in page]

    def _today(self, tz: str) -> date:
        if tz not in self.today_by_zone:
            self.today_by_zone[tz] = clock.local_today(tz, at=self.now)
        return self.today_by_zone[tz]

    def _definition(self, patient: Patient) -> ProtocolDefinition | None:
        version = self.versions.get(patient.enrollment_version_id)
        return None if version is None else version.definition

    def _baselines(self, page: list[Patient]) -> dict[int, tuple]:
        """Section 4's baseline pain and VISA-A of each current enrolment: one query per log kind."""
        windows = {}
        for p in page:
            definition = self._definition(p)
            window = None if definition is None else baseline_window(definition, p.enrollment_start)
            if window is not None:
                windows[p.pk] = window
        ranges = [(pk, w.dated.window_start, w.reach) for pk, w in windows.items()]
        pain = daily_pain_means(ranges)
        visa = visa_a_scores(ranges)
        result = {}
        for pk, window in windows.items():
            pain_baseline = window.pain(pain.get(pk, {}))
            visa_baseline = window.visa_a(visa.get(pk, []))
            result[pk] = (
                None if pain_baseline is None else pain_baseline.value,
                None if visa_baseline is None else visa_baseline.score,
            )
        return result

    def _next_milestones(self, page: list[Patient]) -> dict[int, DatedMilestone]:
        enrollment_ids = [p.enrollment_id for p in page if p.enrollment_id]
        undecided: dict[int, list[DatedMilestone]] = {}
        rows = (
            Milestone.objects.filter(enrollment_id__in=enrollment_ids, status__in=Milestone.UNDECIDED)
            .order_by("enrollment_id", "position")
            .values_list("enrollment_id", "code", "name", "window_start", "window_end")
        )
        for enrollment_id, code, name, start, end in rows:
            undecided.setdefault(enrollment_id, []).append(DatedMilestone(code, name, start, end))
        result = {}
        for p in page:
            upcoming = next_milestone(undecided.get(p.enrollment_id, ()), p.local_today)
            if upcoming is not None:
                result[p.pk] = upcoming
        return result

    def _row(self, p: Patient, adherence: Fraction | None, baselines: tuple, upcoming: DatedMilestone | None) -> dict:
        definition = self._definition(p)
        phase = None
        if definition is not None and p.day is not None:
            phase = next((ph.code for ph in definition.phases if ph.covers(p.day)), None)
        baseline_pain, visa_a_baseline = baselines
        return {
            "id": p.pk,
            "display_name": p.display_name,
            "status": p.status,
            "protocol": definition.code if definition else None,
            "day": p.day,
            "phase": phase,
            "latest_pain": None
            if p.latest_pain_score is None
            else {"score": p.latest_pain_score, "recorded_at": p.latest_pain_at},
            "pain_7d_mean": _rounded(p.pain_7d_mean),
            "baseline_pain": _rounded(baseline_pain),
            "visa_a_latest": p.visa_a_latest,
            "visa_a_baseline": visa_a_baseline,
            "adherence_7d": _rounded(adherence, 3),
            "last_log_at": p.last_log_at,
            "open_alerts": p.open_alerts,
            "next_milestone": None
            if upcoming is None
            else {"code": upcoming.code, "window_start": upcoming.window_start, "window_end": upcoming.window_end},
        }


def _rounded(value, places: int = 2) -> float | None:
    return None if value is None else round(float(value), places)
