"""Sign-in, activation and the caller's own profile.

Who may sign in: any active user (simplejwt refuses inactive ones with 401).
A discharged patient can still sign in and read their history, and their
phone may still upload entries made while offline before the discharge;
only the plan is gone (404 after discharge) and reminders stop.
"""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.schema import error_responses
from patients.models import User
from rehab.records.api.serializers import MeSerializer, MeUpdateSerializer
from rehab.records.selectors.profile import me_profile
from rehab.records.services import me_update


class MeView(APIView):
    @extend_schema(summary="The caller's profile", responses={200: MeSerializer})
    def get(self, request):
        return Response(MeSerializer(me_profile(_me(request))).data)

    @extend_schema(
        summary="Change the caller's profile: display name; for a patient also timezone and quiet hours",
        description="Staff sending `timezone` or `quiet_hours` get 403: only patients have them.",
        request=MeUpdateSerializer,
        responses={200: MeSerializer, **error_responses(403)},
    )
    def patch(self, request):
        serializer = MeUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        me_update(user=request.user, data=serializer.validated_data)
        return Response(MeSerializer(me_profile(_me(request))).data)


def _me(request) -> User:
    return User.objects.select_related("clinic", "patient__clinic").get(pk=request.user.pk)
