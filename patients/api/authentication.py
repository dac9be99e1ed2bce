"""The API's JWT authentication: simplejwt's, with the patient's row read in the same query as the user.

Every /me/ request needs the patient behind the sign-in, and most need their
enrolments. simplejwt reads the user alone, then `request.user.patient` costs
a second round trip. Here the user's query joins the patient (a LEFT JOIN:
staff have no patient row and sign in as before), and the patient row it
returns opts in to the per-process enrolment cache, which its
`enrollments_stamp` keys (rehab.care.selectors.enrollment).

Every check simplejwt makes stays simplejwt's own: token validity and type,
the user id claim, a deleted or inactive user, CHECK_REVOKE_TOKEN's password
hash. Only the query its `get_user` runs changes, so a later simplejwt that
checks more checks more here too. One check is added, on the row that same
query read: the token's version against the sign-in's (ended sessions:
patients.services.sessions), so revocation costs no query of its own. Failures
raise simplejwt's AuthenticationFailed, which config.api.errors answers as
`not_authenticated`.
"""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed

from patients.models import Patient, User
from patients.services.sessions import token_is_current


class _UsersWithTheirPatient:
    """What simplejwt's `get_user` asks of the user model (`objects.get`, `DoesNotExist`), patient joined."""

    DoesNotExist = User.DoesNotExist

    @property
    def objects(self):
        return User.objects.select_related("patient")


class JWTPatientAuthentication(JWTAuthentication):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user_model = _UsersWithTheirPatient()

    def get_user(self, validated_token) -> User:
        user = super().get_user(validated_token)
        if not token_is_current(validated_token, user):
            raise AuthenticationFailed("This sign-in's sessions have ended; sign in again.", code="sessions_ended")
        try:
            patient = user.patient  # joined: no query, and for staff the join's "none" is cached too
        except Patient.DoesNotExist:
            return user
        patient.read_with_sign_in = True
        return user


class JWTPatientAuthenticationScheme(SimpleJWTScheme):
    """The OpenAPI security scheme: the same bearer JWT as simplejwt's (drf-spectacular matches exact classes)."""

    target_class = "patients.api.authentication.JWTPatientAuthentication"
