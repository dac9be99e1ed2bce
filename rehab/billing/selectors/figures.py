"""The month's raw RTM figures for every patient of a clinic, in one set-based statement.

One SQL statement per clinic and month, whatever the number of patients: episodes (ended at their stop
date or the patient's local discharge date), their 30-day periods that overlap the month (in the
patient's local days), the distinct data days of each period, and the month's minutes per patient
with each clinician's overlapping entries merged (gaps and islands). The codes are given to these
figures by rehab.billing.rules, under the rule sets stored as data.

A data day counts when its first log arrived before the month of its local date was closed; a day
whose logs all arrived after is "after close". Likewise a time entry of a closed month recorded
after the close. PostgreSQL only (generate_series, AT TIME ZONE, window functions).
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import connection

from rehab.billing.models import ClinicBillingSettings
from rehab.logs.models import ExerciseLog, patient_log_models

NO_END = date(9999, 12, 31)


@dataclass
class PeriodFigures:
    episode_id: int
    number: int  # 0 for the episode's first period
    start: date
    end: date  # the last day counted: the 30th, or the episode's end
    nominal_end: date
    data_days: int
    late_days: int
    logged_today: bool


@dataclass
class PatientFigures:
    patient_id: int
    display_name: str
    timezone: str
    today: date  # the patient's local date now
    rpm: bool
    minutes: int = 0
    interactive: bool = False
    clinicians: int = 0
    late_entries: int = 0
    periods: list[PeriodFigures] = field(default_factory=list)


def log_models(data_day_rule: str) -> tuple:
    """The logs that make a data day. Every row of these tables is the patient's own: the phone's
    /me/ endpoints write them, and no clinician records a patient log."""
    if data_day_rule == ClinicBillingSettings.DataDayRule.EXERCISE_LOGS:
        return (ExerciseLog,)
    return patient_log_models()


def _logs_sql(data_day_rule: str) -> str:
    tables = [model._meta.db_table for model in log_models(data_day_rule)]
    return " UNION ALL ".join(f"SELECT patient_id, local_date, received_at FROM {table}" for table in tables)


_SQL = """
WITH ep AS (
    SELECT e.id AS episode_id, e.patient_id, e.started_on,
           LEAST(COALESCE(e.stopped_on, %(no_end)s),
                 COALESCE((p.discharged_at AT TIME ZONE p.timezone)::date, %(no_end)s)) AS ended_on,
           (%(now)s::timestamptz AT TIME ZONE p.timezone)::date AS today
    FROM billing_episode e JOIN patients_patient p ON p.id = e.patient_id
    WHERE p.clinic_id = %(clinic)s AND e.started_on <= %(month_end)s {patient_filter}
),
live AS (
    SELECT * FROM ep WHERE ended_on >= started_on AND ended_on >= %(month_start)s
),
periods AS (
    SELECT live.episode_id, live.patient_id, live.today, n.n AS number,
           live.started_on + n.n * %(period_days)s AS period_start,
           live.started_on + n.n * %(period_days)s + %(period_days)s - 1 AS nominal_end,
           LEAST(live.started_on + n.n * %(period_days)s + %(period_days)s - 1, live.ended_on) AS period_end
    FROM live CROSS JOIN LATERAL (
        -- The LIMIT changes no answer (no month overlaps more periods); it tells the planner how few
        -- rows each episode gives. Left at generate_series' default of 1,000, the estimates reach
        -- billions and PostgreSQL spends seconds compiling the query (JIT) to run it in under one.
        SELECT n FROM generate_series(
            GREATEST(0, (%(month_start)s - live.started_on) / %(period_days)s),
            (LEAST(%(month_end)s, live.ended_on) - live.started_on) / %(period_days)s
        ) AS n LIMIT %(periods_per_month)s
    ) AS n
),
closes AS (
    SELECT month, closed_at FROM billing_monthclose WHERE clinic_id = %(clinic)s
),
logs AS ({logs}),
days AS (
    -- Each patient's distinct local days over the month's periods, with the first arrival of the day.
    SELECT l.patient_id, l.local_date, min(l.received_at) AS first_received
    FROM logs l
    WHERE l.patient_id IN (SELECT patient_id FROM live)
      AND l.local_date BETWEEN (SELECT min(period_start) FROM periods) AND (SELECT max(period_end) FROM periods)
    GROUP BY l.patient_id, l.local_date
),
period_days AS (
    -- A day counts when its first log arrived before its month closed (or the month is open).
    SELECT pr.episode_id, pr.number, d.local_date = pr.today AS is_today,
           c.closed_at IS NULL OR d.first_received <= c.closed_at AS counted
    FROM periods pr
    JOIN days d ON d.patient_id = pr.patient_id AND d.local_date BETWEEN pr.period_start AND pr.period_end
    LEFT JOIN closes c ON c.month = date_trunc('month', d.local_date)::date
),
period_counts AS (
    SELECT episode_id, number, count(*) FILTER (WHERE counted) AS data_days,
           count(*) FILTER (WHERE NOT counted) AS late_days, bool_or(counted AND is_today) AS logged_today
    FROM period_days GROUP BY episode_id, number
),
period_figures AS (
    SELECT pr.*, coalesce(pc.data_days, 0) AS data_days, coalesce(pc.late_days, 0) AS late_days,
           coalesce(pc.logged_today, false) AS logged_today
    FROM periods pr LEFT JOIN period_counts pc ON pc.episode_id = pr.episode_id AND pc.number = pr.number
),
entries AS (
    -- An entry counts whole in the month (clinic's zone) it starts in; a corrected one not at all.
    SELECT te.patient_id, te.clinician_id, te.interactive,
           te.started_at AS s, te.started_at + te.minutes * interval '1 minute' AS e,
           (c.closed_at IS NOT NULL AND te.recorded_at > c.closed_at) AS late
    FROM billing_timeentry te
    LEFT JOIN closes c ON c.month = %(month_start)s
    WHERE te.patient_id IN (SELECT patient_id FROM live)
      AND te.started_at >= %(month_from)s AND te.started_at < %(month_until)s
      AND te.kind <> 'reverse'
      AND NOT EXISTS (SELECT 1 FROM billing_timeentry c WHERE c.corrects_id = te.id)
),
marked AS (
    -- Gaps and islands: an entry opens a new island unless it starts before one of the same
    -- clinician's earlier entries ends.
    SELECT *, CASE WHEN s <= max(e) OVER (
                   PARTITION BY patient_id, clinician_id ORDER BY s, e
                   ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) THEN 0 ELSE 1 END AS opens
    FROM entries WHERE NOT late
),
islands AS (
    SELECT *, sum(opens) OVER (PARTITION BY patient_id, clinician_id ORDER BY s, e ROWS UNBOUNDED PRECEDING) AS island
    FROM marked
),
merged AS (
    SELECT patient_id, clinician_id, max(e) - min(s) AS spent, bool_or(interactive) AS interactive
    FROM islands GROUP BY patient_id, clinician_id, island
),
minutes AS (
    SELECT patient_id, floor(extract(epoch FROM sum(spent)) / 60)::int AS minutes,
           bool_or(interactive) AS interactive, count(DISTINCT clinician_id) AS clinicians
    FROM merged GROUP BY patient_id
),
late_entries AS (
    SELECT patient_id, count(*) AS late_entries FROM entries WHERE late GROUP BY patient_id
)
SELECT pf.patient_id, p.display_name, p.timezone, pf.today,
       EXISTS (SELECT 1 FROM billing_rpmmonth r WHERE r.patient_id = pf.patient_id AND r.month = %(month_start)s),
       coalesce(m.minutes, 0), coalesce(m.interactive, false), coalesce(m.clinicians, 0),
       coalesce(le.late_entries, 0),
       pf.episode_id, pf.number, pf.period_start, pf.period_end, pf.nominal_end,
       pf.data_days, pf.late_days, pf.logged_today
FROM period_figures pf
JOIN patients_patient p ON p.id = pf.patient_id
LEFT JOIN minutes m ON m.patient_id = pf.patient_id
LEFT JOIN late_entries le ON le.patient_id = pf.patient_id
ORDER BY p.display_name, pf.patient_id, pf.period_start
"""


def month_figures(
    *,
    clinic_id: int,
    data_day_rule: str,
    month: date,
    month_end: date,
    month_from: datetime,
    month_until: datetime,
    now: datetime,
    period_days: int,
    patient_ids: list[int] | None = None,
) -> list[PatientFigures]:
    """The raw figures of every patient with an RTM episode in the month (or of the patients given)."""
    params = {
        "clinic": clinic_id,
        "month_start": month,
        "month_end": month_end,
        "month_from": month_from,
        "month_until": month_until,
        "now": now,
        "period_days": period_days,
        "periods_per_month": -(-31 // period_days) + 1,
        "no_end": NO_END,
        "patients": patient_ids,
    }
    patient_filter = "" if patient_ids is None else "AND p.id = ANY(%(patients)s)"
    sql = _SQL.format(patient_filter=patient_filter, logs=_logs_sql(data_day_rule))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    patients: dict[int, PatientFigures] = {}
    for row in rows:
        patient_id = row[0]
        figures = patients.get(patient_id)
        if figures is None:
            figures = patients[patient_id] = PatientFigures(
                patient_id=patient_id,
                display_name=row[1],
                timezone=row[2],
                today=row[3],
                rpm=row[4],
                minutes=row[5],
                interactive=row[6],
                clinicians=row[7],
                late_entries=row[8],
            )
        figures.periods.append(
            PeriodFigures(
                episode_id=row[9],
                number=row[10],
                start=row[11],
                end=row[12],
                nominal_end=row[13],
                data_days=row[14],
                late_days=row[15],
                logged_today=row[16],
            )
        )
    return list(patients.values())
