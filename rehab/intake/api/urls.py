"""The patient's logs: the phone's endpoints and sync, and the clinician's lists, one of each per log kind."""

from django.urls import path

from rehab.intake.api import views
from rehab.intake.api.clinician import PatientLogViewSet
from rehab.intake.registry import KINDS

urlpatterns = [
    *(path(f"me/{kind.path}/", views.log_view(kind).as_view(), name=f"me-{kind.path}") for kind in KINDS.values()),
    path("me/sync/", views.SyncView.as_view(), name="me-sync"),
    *(
        path(
            f"patients/<int:patient_id>/{kind.path}/",
            PatientLogViewSet.as_view({"get": "list"}, kind=kind),
            name=f"clinician-{kind.path}",
        )
        for kind in KINDS.values()
    ),
]
