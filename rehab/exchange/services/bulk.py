"""FHIR Bulk Data export of a clinic (Bulk Data Access IG 2.0.0): start, run, cancel, expire.

The job runs in a Celery worker (rehab.jobs' `bulk_export_run`, kicked by name after commit: that
app sits above this one). It streams: each resource type is written line by line to a local
temporary file from one streaming query per table (rehab.exchange.selectors.clinic), then handed to
Django's storage API, so memory stays flat whatever the clinic's size, and web and workers on
different hosts share the files through whatever storage backend is configured.

A job claims its export with a conditional UPDATE and keeps a heartbeat while it writes; one whose
worker died is taken over by the next sweep (bulk_exports_sweep, daily with the expiry, or any
re-kick). Cancelling marks the export; the job sees it at its next heartbeat, stops and removes what
it wrote.
"""

import json
import logging
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from celery import current_app
from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages
from django.db import IntegrityError, transaction
from django.db.models import Q

from config import clock
from patients.models import Clinic, User
from patients.services.audit import audit_record
from rehab.exchange.models import BulkExport
from rehab.exchange.selectors.clinic import clinic_resources

logger = logging.getLogger(__name__)

EXPORT_TASK = "rehab.tasks.bulk_export_run"
HEARTBEAT_EVERY = 2000  # resources written between heartbeats (and looks for a cancellation)
STALE_AFTER = timedelta(minutes=10)  # a heartbeat this old: the job's worker died
KICK_TIMEOUT_SECONDS = 1


class ExportAlreadyRunning(Exception):
    """The clinic has an export in progress: one at a time (the API answers 429 with Retry-After)."""


def bulk_storage():
    return storages[getattr(settings, "BULK_EXPORT_STORAGE", "default")]


def bulk_export_start(
    *, clinic: Clinic, by: User, types: list[str], since: datetime | None, request_url: str, base_url: str,
    ip_address: str | None = None,
) -> BulkExport:  # fmt: skip
    now = clock.now()
    try:
        with transaction.atomic():
            export = BulkExport.objects.create(
                clinic=clinic, requested_by=by, request_url=request_url, types=types, since=since,
                base_url=base_url, requested_at=now,
            )  # fmt: skip
            audit_record(actor=by, action="bulk_export", resource=request_url, patient_ids=[], ip_address=ip_address)
    except IntegrityError:
        raise ExportAlreadyRunning(f"An export of clinic {clinic.pk} is in progress.") from None
    transaction.on_commit(lambda: bulk_export_kick(export.pk), robust=True)
    return export


def bulk_export_kick(export_id) -> None:
    """Ask a worker to run the export; if the broker is down, the next sweep asks again."""
    try:
        with current_app.connection_for_write(connect_timeout=KICK_TIMEOUT_SECONDS) as connection:
            connection.ensure_connection(max_retries=0, timeout=KICK_TIMEOUT_SECONDS)
            current_app.signature(EXPORT_TASK, args=[str(export_id)]).apply_async(connection=connection, retry=False)
    except Exception:
        logger.warning("broker unavailable; the next sweep will start bulk export %s", export_id, exc_info=True)


def bulk_export_run(*, export_id) -> str:
    """Write every file of the export; returns what became of it (claimed by another, cancelled, ...)."""
    now = clock.now()
    claimed = (
        BulkExport.objects.filter(pk=export_id, status=BulkExport.Status.IN_PROGRESS)
        .filter(Q(started_at__isnull=True) | Q(heartbeat_at__lt=now - STALE_AFTER))
        .update(started_at=now, heartbeat_at=now, progress="starting")
    )
    if not claimed:
        return "not claimed"
    export = BulkExport.objects.select_related("clinic").get(pk=export_id)
    saved: list[dict] = []
    try:
        finished = _write_files(export, saved)
    except Exception as exc:
        logger.exception("bulk export %s failed", export_id)
        _files_delete(saved)
        BulkExport.objects.filter(pk=export_id, status=BulkExport.Status.IN_PROGRESS).update(
            status=BulkExport.Status.FAILED, error=f"{type(exc).__name__}", finished_at=clock.now(),
            expires_at=clock.now() + _keep_for(),
        )  # fmt: skip
        return "failed"
    if finished and _finish(export, saved):
        return "completed"
    _files_delete(saved)  # cancelled meanwhile: nothing of it stays
    return "cancelled"


def _write_files(export: BulkExport, saved: list[dict]) -> bool:
    """Each type to its NDJSON file; False when the export was cancelled meanwhile."""
    storage = bulk_storage()
    with tempfile.TemporaryDirectory(prefix="bulk-export-") as folder:
        for done, resource_type in enumerate(export.types):
            path = Path(folder) / f"{resource_type}.ndjson"
            count = 0
            with path.open("w", encoding="utf-8") as out:
                resources = clinic_resources(
                    clinic=export.clinic, resource_type=resource_type, base=export.base_url, since=export.since
                )
                for resource in resources:
                    out.write(json.dumps(resource, separators=(",", ":"), ensure_ascii=False))
                    out.write("\n")
                    count += 1
                    if count % HEARTBEAT_EVERY == 0 and not _heartbeat(export, f"{resource_type}: {count} resources"):
                        return False
            if count:
                with path.open("rb") as written:
                    name = storage.save(f"bulk-exports/{export.pk}/{resource_type}.ndjson", File(written))
                saved.append({"type": resource_type, "name": name, "count": count})
            if not _heartbeat(export, f"{done + 1} of {len(export.types)} resource types written"):
                return False
    return True


def _heartbeat(export: BulkExport, progress: str) -> bool:
    return bool(
        BulkExport.objects.filter(pk=export.pk, status=BulkExport.Status.IN_PROGRESS).update(
            heartbeat_at=clock.now(), progress=progress[:200]
        )
    )


def _finish(export: BulkExport, saved: list[dict]) -> bool:
    now = clock.now()
    done = BulkExport.objects.filter(pk=export.pk, status=BulkExport.Status.IN_PROGRESS).update(
        status=BulkExport.Status.COMPLETED, output=saved, finished_at=now, expires_at=now + _keep_for(), progress="done"
    )
    return bool(done)


def _keep_for() -> timedelta:
    return timedelta(days=getattr(settings, "BULK_EXPORT_DAYS", 7))


def bulk_export_cancel(*, export: BulkExport) -> None:
    """Stop the job (it sees it at its next heartbeat) and remove the files; the status URL is then a 404."""
    BulkExport.objects.filter(pk=export.pk).exclude(status=BulkExport.Status.CANCELLED).update(
        status=BulkExport.Status.CANCELLED, expires_at=clock.now()
    )
    export.refresh_from_db()
    _files_delete(export.output)


def _files_delete(output: list[dict]) -> None:
    storage = bulk_storage()
    for item in output:
        try:
            storage.delete(item["name"])
        except Exception:  # a file already gone is gone; the sweep is not the place to fail
            logger.warning("could not delete bulk export file %s", item["name"], exc_info=True)


def bulk_exports_sweep(*, now: datetime | None = None) -> dict:
    """Delete expired exports with their files; start again the jobs whose worker died."""
    now = now or clock.now()
    expired = 0
    for export in BulkExport.objects.exclude(status=BulkExport.Status.IN_PROGRESS).filter(expires_at__lte=now):
        _files_delete(export.output)
        export.delete()
        expired += 1
    stale = BulkExport.objects.filter(status=BulkExport.Status.IN_PROGRESS).filter(
        Q(heartbeat_at__lt=now - STALE_AFTER) | Q(started_at__isnull=True, requested_at__lt=now - STALE_AFTER)
    )
    restarted = [export.pk for export in stale]
    for export_id in restarted:
        bulk_export_kick(export_id)
    return {"expired": expired, "restarted": len(restarted)}
