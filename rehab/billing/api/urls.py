"""Remote therapeutic monitoring: one patient's RTM under /patients/{id}/rtm/, the clinic's report under /rtm/."""

from django.urls import path

from rehab.billing.api.report import BillingReportViewSet
from rehab.billing.api.views import EpisodeViewSet, LedgerViewSet, TimeEntryViewSet, TimerViewSet

RTM = "patients/<int:patient_id>/rtm/"

urlpatterns = [
    path(f"{RTM}episodes/", EpisodeViewSet.as_view({"get": "list"}), name="rtm-episodes"),
    path(f"{RTM}episodes/start/", EpisodeViewSet.as_view({"post": "start"}), name="rtm-episode-start"),
    path(f"{RTM}episodes/stop/", EpisodeViewSet.as_view({"post": "stop"}), name="rtm-episode-stop"),
    path(f"{RTM}time-entries/", TimeEntryViewSet.as_view({"get": "list", "post": "create"}), name="rtm-time-entries"),
    path(
        f"{RTM}time-entries/<int:entry_id>/corrections/",
        TimeEntryViewSet.as_view({"post": "correct"}),
        name="rtm-time-entry-correct",
    ),
    path(f"{RTM}timers/", TimerViewSet.as_view({"get": "list", "post": "start"}), name="rtm-timers"),
    path(f"{RTM}timers/<int:timer_id>/stop/", TimerViewSet.as_view({"post": "stop"}), name="rtm-timer-stop"),
    path(f"{RTM}timers/<int:timer_id>/confirm/", TimerViewSet.as_view({"post": "confirm"}), name="rtm-timer-confirm"),
    path(f"{RTM}timers/<int:timer_id>/discard/", TimerViewSet.as_view({"post": "discard"}), name="rtm-timer-discard"),
    path(f"{RTM}ledger/", LedgerViewSet.as_view({"get": "ledger"}), name="rtm-ledger"),
    path(f"{RTM}rpm/", LedgerViewSet.as_view({"put": "rpm"}), name="rtm-rpm"),
    path("rtm/report/", BillingReportViewSet.as_view({"get": "report"}), name="rtm-report"),
    path("rtm/report.csv", BillingReportViewSet.as_view({"get": "report_csv"}), name="rtm-report-csv"),
    path("rtm/closes/", BillingReportViewSet.as_view({"get": "closes", "post": "close"}), name="rtm-month-closes"),
    path(
        "rtm/settings/",
        BillingReportViewSet.as_view({"get": "settings_read", "put": "settings_update"}),
        name="rtm-settings",
    ),
]
