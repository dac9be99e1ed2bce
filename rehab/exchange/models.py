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
