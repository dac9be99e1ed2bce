"""Remote therapeutic monitoring on the dashboard (names: rtm-*, billing-*)."""

from django.urls import path

from rehab.dashboard.billing import views

RTM = "patients/<int:id>/rtm/"

urlpatterns = [
    path(f"{RTM}card/", views.RtmCardFragment.as_view(), name="rtm-card"),
    path(f"{RTM}start/", views.EpisodeStart.as_view(), name="rtm-episode-start"),
    path(f"{RTM}stop/", views.EpisodeStop.as_view(), name="rtm-episode-stop"),
    path(f"{RTM}timer/start/", views.TimerStart.as_view(), name="rtm-timer-start"),
    path(f"{RTM}timer/stop/", views.TimerStop.as_view(), name="rtm-timer-stop"),
    path(f"{RTM}timer/confirm/", views.TimerConfirm.as_view(), name="rtm-timer-confirm"),
    path(f"{RTM}timer/discard/", views.TimerDiscard.as_view(), name="rtm-timer-discard"),
    path(f"{RTM}minutes/", views.MinutesRecord.as_view(), name="rtm-minutes"),
    path(f"{RTM}rpm/", views.RpmFlag.as_view(), name="rtm-rpm"),
    path("billing/", views.BillingReportPage.as_view(), name="billing-report"),
    path("billing/report.csv", views.BillingReportCsv.as_view(), name="billing-report-csv"),
    path("billing/close-month/", views.MonthClose.as_view(), name="billing-close-month"),
    path("billing/data-day-rule/", views.DataDayRuleSave.as_view(), name="billing-data-day-rule"),
    path("billing/close-to-threshold/", views.CloseToThresholdPage.as_view(), name="rtm-close-to-threshold"),
]
