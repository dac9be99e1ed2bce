from django.urls import path

from rehab.dashboard.auth import clinic_staff, views

urlpatterns = [
    path("sign-in/", views.sign_in, name="sign-in"),
    path("sign-in/code/", views.verify, name="verify"),
    path("sign-in/authenticator/", views.totp_enrol, name="totp-enrol"),
    path("sign-in/backup-codes/", views.backup_codes_new, name="backup-codes"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("clinic/staff/", clinic_staff.ClinicStaffPage.as_view(), name="clinic-staff"),
    path("clinic/staff/<int:pk>/reset-totp/", clinic_staff.TotpResetPage.as_view(), name="clinic-staff-reset-totp"),
]
