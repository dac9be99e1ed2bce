from django.conf import settings
from django.db import models


class FormSubmission(models.Model):
    """A dashboard form's one-time token, claimed by the submit that did what the form asks.

    Every form carries a fresh token; the action and its claim commit together, so a second submit
    of the same form (a double click, a resent POST, a retry after a lost answer) finds the claim
    and is shown what the first one did instead of doing it again. A refused submit rolls its claim
    back with everything else, and the corrected form goes again with the same token.
    """

    token = models.UUIDField(primary_key=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=40)
    # What the first submit made, for the answer to a repeat (the patient created, the event queued).
    patient = models.ForeignKey("patients.Patient", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    result = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.action} by {self.actor_id} at {self.created_at:%Y-%m-%d %H:%M}"
