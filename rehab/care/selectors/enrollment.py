"""Reading enrolments: which protocol a patient is on, on a given day."""

import copy
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from django.db import connection
from django.db.models import F

from config import clock
from config.stamped_cache import StampedCache
from patients.models import Patient
from rehab.care.models import Enrollment


@dataclass(frozen=True)
class EnrollmentHistory:
    """A patient's enrolments, read in one query, answering every "which one" question.

    A patient has a handful of enrolments, so one read serves the checks of a
    log and its safety rules alike.
    For the patient a request signed in as, the read usually costs nothing:
    see `enrollment_history_cache_use`.
    """

    patient: Patient
    newest_first: tuple[Enrollment, ...]

    @classmethod
    def of(cls, patient: Patient) -> "EnrollmentHistory":
        if patient.read_with_sign_in and connection.vendor == "postgresql":
            return cls(patient, _CACHE.rows(patient))
        return cls(patient, tuple(_rows(patient)))

    def first_start(self) -> date | None:
        """Nothing a patient logs may be dated before their first enrolment."""
        return self.newest_first[-1].start_date if self.newest_first else None

    def current(self, on: date | None = None) -> Enrollment | None:
        """The enrolment whose dates cover `on` (default: the patient's today)."""
        on = on or clock.local_today(self.patient.timezone)
        return next((e for e in self.newest_first if e.start_date <= on and not _ended_before(e, on)), None)

    def on_or_before(self, on: date) -> Enrollment | None:
        """The enrolment a dated entry belongs to: the latest one started by `on`, even if it has ended since."""
        return next((e for e in self.newest_first if e.start_date <= on), None)

    def rules_source(self) -> Enrollment | None:
        """The enrolment whose protocol's rules apply now: the current one, else the latest.

        Before the first enrolment starts (a patient created ahead of surgery, a
        medication log up to 12 months back) the nearest enrolment's rules still apply.
        """
        return self.current() or (self.newest_first[0] if self.newest_first else None)


def _ended_before(enrollment: Enrollment, on: date) -> bool:
    return enrollment.end_date is not None and enrollment.end_date < on


def enrollment_current(patient: Patient, *, on: date | None = None) -> Enrollment | None:
    return EnrollmentHistory.of(patient).current(on)


def enrollment_rules_source(patient: Patient) -> Enrollment | None:
    return EnrollmentHistory.of(patient).rules_source()


def _rows(patient: Patient):
    return (
        Enrollment.objects.select_related("protocol_version__protocol").filter(patient=patient).order_by("-start_date")
    )


# --- The per-process cache of the signed-in patient's enrolments -------------------------------------------
#
# Every request of the phone app reads its patient's enrolments (a log's date
# checks, the safety rules' protocol, the plan), and they change a few times
# in a treatment. The patient row, read with the user by the authentication
# (patients.api.authentication), carries `enrollments_stamp`, which database
# triggers renew in the same transaction as any change to the patient, their
# enrolments or their protocols (care migration 0002). Rows are cached under
# the stamp read in the SAME statement as the rows, so an entry is exactly one
# committed (or in-transaction) state, and a request whose patient row carries
# another stamp reads again. Nothing has to tell other processes anything.
#
# Only rows read at the start of a request may use it (the authentication opts
# them in): an instance kept longer (a job, the simulator, a test) may hold a
# stamp that is no longer current, and its reads go to the database as before.

CACHE_SIZE = 4096  # patients per process; an entry is a few enrolments sharing protocol rows


def enrollment_history_cache_use(patient: Patient) -> None:
    """Let EnrollmentHistory.of(patient) answer from the process cache, as of when `patient` was read.

    For the row the authentication reads with the user at the start of a
    request: within one request, the enrolments as of its start are the ones
    it works with (the phone's requests never change enrolments).
    """
    patient.read_with_sign_in = True


class EnrollmentCache:
    """Patient id -> (stamp, enrolments): the latest state seen, least recently used evicted.

    Callers get copies: one request setting an attribute on an enrolment must
    not change what the next request sees. Protocol rows are shared; they are
    never edited once published (and an edit would change the stamp).
    """

    def __init__(self, size: int = CACHE_SIZE):
        self._entries = StampedCache(size)

    def rows(self, patient: Patient) -> tuple[Enrollment, ...]:
        kept = self._entries.get(patient.pk, patient.enrollments_stamp)
        if kept is not None:
            return _copies(kept)
        stamp, rows = _read_with_stamp(patient)
        if stamp is not None:
            self._entries.keep(patient.pk, stamp, rows)
        return _copies(rows)

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


def _read_with_stamp(patient: Patient) -> tuple[UUID | None, tuple[Enrollment, ...]]:
    """The rows and the stamp they belong to, from one statement (one snapshot).

    The stamp comes with the rows, not from `patient`: if the enrolments
    changed since the patient row was read, these rows are newer than its
    stamp and must be filed under theirs. No rows, no stamp: not cached (a
    patient not enrolled yet is refused anyway).
    """
    rows = tuple(_rows(patient).annotate(stamp_read=F("patient__enrollments_stamp")))
    if not rows:
        return None, rows
    stamp = rows[0].stamp_read
    for row in rows:
        del row.stamp_read
        # Thousands of cached patients share a few protocol versions: one parsed definition each, not
        # one per row (a few kB of JSON becomes tens of kB of Python objects). Keyed like the parsed
        # definitions (protocols.models.definition_for): a version is never edited, and its checksum says so.
        version = row.protocol_version
        version.document = _DOCUMENTS.setdefault((version.pk, version.checksum), version.document)
    return stamp, rows


def _copies(rows: tuple[Enrollment, ...]) -> tuple[Enrollment, ...]:
    return tuple(copy.copy(row) for row in rows)


_DOCUMENTS: dict[tuple[int, str], dict] = {}  # as many as there are protocol versions
_CACHE = EnrollmentCache()
