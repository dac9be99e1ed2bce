from django.conf import settings
from django.db import models


class AuditEntry(models.Model):
    """Who read or changed which patient's data, and when."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    clinic = models.ForeignKey("patients.Clinic", null=True, on_delete=models.SET_NULL, related_name="+")
    patient = models.ForeignKey("patients.Patient", null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=40)  # e.g. "read", "update", "create"
    resource = models.CharField(max_length=200)  # the path or object read
    at = models.DateTimeField(db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["patient", "at"])]
        ordering = ["-at"]
        verbose_name_plural = "audit entries"
