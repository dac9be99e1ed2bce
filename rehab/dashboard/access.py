"""Who may open a dashboard page: signed-in clinic staff who passed the second factor where it applies."""

from django.contrib.auth.mixins import AccessMixin
from django.http import HttpRequest


def is_staff_member(request: HttpRequest) -> bool:
    user = request.user
    return user.is_authenticated and user.is_active and user.is_clinician and user.clinic_id is not None


class StaffPageMixin(AccessMixin):
    """A page for physiotherapists and clinic admins of one clinic; everyone else goes to the sign-in.

    The second factor's checks (a verified device, or enrolment when the clinic requires one) are
    added with the sign-in flow.
    """

    def dispatch(self, request, *args, **kwargs):
        if not is_staff_member(request):
            return self.handle_no_permission()
        return super().dispatch(request, *args, **kwargs)
