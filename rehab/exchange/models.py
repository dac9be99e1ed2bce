import uuid

from django.conf import settings
from django.db import models


class Erasure(models.Model):
    """That a patient's identity was erased (GDPR article 17), by whom and when.

    The patient row stays, pseudonymised under its id, as the clinic's medical and billing record;
    this row is how a second request knows there is nothing left to do.
    """

    patient = models.OneToOneField("patients.Patient", on_delete=models.CASCADE, related_name="erasure")
    erased_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    erased_at = models.DateTimeField()


class BulkExport(models.Model):
    """A clinic's FHIR Bulk Data export (`Group/{clinic}/$export`): the job, and where its files are.

    At most one runs per clinic (a second kick-off meanwhile is a 429). The files are written
    through Django's storage API and deleted when the export is cancelled or expires.
    """

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress"
        COMPLETED = "completed"
        FAILED = "failed"
        CANCELLED = "cancelled"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey("patients.Clinic", on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    request_url = models.TextField(help_text="The kick-off request, as the manifest's `request` repeats it.")
    types = models.JSONField(help_text="The resource types asked for (`_type`), in export order.")
    since = models.DateTimeField(null=True, blank=True, help_text="`_since`: only what changed after it.")
    base_url = models.TextField(help_text="The FHIR base the resources' canonical URLs and codes are under.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IN_PROGRESS)
    requested_at = models.DateTimeField(help_text="The manifest's transactionTime.")
    # The job's claim and heartbeat: a job whose worker died is taken over after a while.
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    progress = models.CharField(max_length=200, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # [{"type", "name" (the storage name), "count"}]
    output = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["clinic"], condition=models.Q(status="in_progress"), name="one_running_bulk_export_per_clinic"
            )
        ]
        indexes = [models.Index(fields=["expires_at"], name="bulk_export_expiry")]
