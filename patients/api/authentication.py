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

The query is the ORM's own (`select_related("patient")`), compiled once per
process and database connection rather than at every request: compiling it
cost about half a millisecond of every API request, more than the database
spends answering it. Rows still go through the ORM's converters and its
related-object populator, so the user and patient are what the queryset
would have built.

On PostgreSQL a request mostly reads less: the two rows' stamps, which
database triggers renew on every change to either row (patients migration
0004, care migration 0002). A process keeps the users it read under their
stamps (_SignIns) and hands each request its own copies; when the stamps
read differ, or the user is not kept, the whole query runs as above. So
every request still sees the rows as committed in the database, whichever
process or host changed them, at a fraction of building them: about a
millisecond of the phone's newest-page GET under load.
"""

import copy
import threading

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.base import ModelState
from django.db.models.query import get_related_populators
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, TokenError
from rest_framework_simplejwt.tokens import Token
from rest_framework_simplejwt.utils import aware_utcnow

from config.db.prepared import prepared_cursor
from config.stamped_cache import StampedCache
from patients.models import Patient, User
from patients.services.sessions import token_is_current


class _CompiledUserQuery:
    """`User.objects.select_related("patient").get(<field>=value)`, compiled once for one connection."""

    def __init__(self, field: str, connection):
        queryset = User.objects.select_related("patient").filter(**{field: 0})
        self.compiler = queryset.query.get_compiler(connection=connection)
        self.sql, _ = self.compiler.as_sql()  # the one parameter is the value looked up
        self.prep = User._meta.get_field(field).get_prep_value
        info = self.compiler.klass_info
        first, last = info["select_fields"][0], info["select_fields"][-1] + 1
        self.user_columns = slice(first, last)
        self.init_list = [column[0].target.attname for column in self.compiler.select[first:last]]
        self.populators = get_related_populators(info, self.compiler.select, connection.alias)
        # The columns' converters too (results_iter works them out at every call, a tenth of a millisecond).
        columns = [column[0] for column in self.compiler.select[0 : self.compiler.col_count]]
        self.converters = self.compiler.get_converters(columns)
        stamps = User.objects.filter(**{field: 0}).values_list("row_stamp", "patient__enrollments_stamp")
        self.stamps_sql, _ = stamps.query.get_compiler(connection=connection).as_sql()

    def stamps(self, value) -> tuple | None:
        """The user's row_stamp and their patient's enrollments_stamp (None for no patient); None for no user."""
        with prepared_cursor(self.compiler.connection) as cursor:
            cursor.execute(self.stamps_sql, [self.prep(value)])
            rows = cursor.fetchall()
        return tuple(rows[0]) if rows else None

    def get(self, value) -> User:
        connection = self.compiler.connection
        with prepared_cursor(connection) as cursor:  # parsed and planned once per connection too
            cursor.execute(self.sql, [self.prep(value)])
            rows = cursor.fetchall()
        if not rows:
            raise User.DoesNotExist
        if self.converters:
            rows = list(self.compiler.apply_converters(rows, self.converters))
        [row] = rows
        user = User.from_db(connection.alias, self.init_list, row[self.user_columns])
        for populator in self.populators:
            populator.populate(row, user)
        return user


class _UsersWithTheirPatient:
    """What simplejwt's `get_user` asks of the user model (`objects.get`, `DoesNotExist`), patient joined."""

    DoesNotExist = User.DoesNotExist

    @property
    def objects(self):
        return self

    def get(self, **lookup) -> User:
        [(field, value)] = lookup.items()  # simplejwt looks up one field, USER_ID_FIELD
        connection = connections[DEFAULT_DB_ALIAS]
        # Per connection object: each thread has its own, and a test's settings change makes a new one.
        compiled = getattr(connection, "_compiled_user_query", None)
        if compiled is None or compiled.compiler.connection is not connection or compiled.field != field:
            compiled = _CompiledUserQuery(field, connection)
            compiled.field = field
            connection._compiled_user_query = compiled
        if connection.vendor != "postgresql":
            return compiled.get(value)  # no triggers keep the stamps there
        stamps = compiled.stamps(value)
        if stamps is None:
            raise User.DoesNotExist
        kept = _sign_ins.get((field, value), stamps)
        if kept is not None:
            return kept
        user = compiled.get(value)
        return _sign_ins.keep((field, value), user)


class _SignIns:
    """(field, value) -> the user (with their patient) as last read, under the stamps read with them.

    Each request gets its own copies of the user and patient, their JSON values copied too: what one
    request sets on them never reaches the next. Bounded, least recently used dropped first.
    """

    SIZE = 4096

    def __init__(self, size: int = SIZE) -> None:
        self._users = StampedCache(size)

    def get(self, key: tuple, stamps: tuple) -> User | None:
        user = self._users.get(key, stamps)
        return None if user is None else _own_copy(user)

    def keep(self, key: tuple, user: User) -> User:
        patient = user._state.fields_cache.get("patient")
        self._users.keep(key, (user.row_stamp, None if patient is None else patient.enrollments_stamp), user)
        return _own_copy(user)

    def clear(self) -> None:
        self._users.clear()


def _own_copy(user: User) -> User:
    """A copy of a kept user and their patient for one request: its own state, and its own JSON values."""
    mine = _model_copy(user)
    patient = user._state.fields_cache.get("patient")
    if patient is not None:
        patient = _model_copy(patient)
        patient._state.fields_cache["user"] = mine
    mine._state.fields_cache["patient"] = patient  # None: staff, the join's "no patient" kept as it was read
    return mine


def _model_copy(instance):
    """The instance's fields (JSON values copied) with a state of its own: what copy.copy gives.

    copy.copy goes through Django's __getstate__ and __setstate__; this builds the same at under half
    the cost, without __init__, as unpickling does. The fields cache is copied as __getstate__ copies it
    (the related rows themselves shared); _own_copy puts its own patient and user in it.
    """
    mine = instance.__class__.__new__(instance.__class__)
    mine.__dict__.update(
        (name, _json_copy(value) if isinstance(value, (list, dict)) else value)
        for name, value in instance.__dict__.items()
    )
    mine._state = state = ModelState()
    state.db, state.adding = instance._state.db, instance._state.adding
    state.fields_cache = dict(instance._state.fields_cache)
    return mine


def _json_copy(value):
    """A JSON field's value as a new one: its lists and dicts, however deep, are new; the rest is immutable."""
    if isinstance(value, dict):
        return {key: _json_copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_copy(item) for item in value]
    return value


_sign_ins = _SignIns()


class _ValidatedTokens:
    """The access tokens this process validated, by their encoded form: the signature is checked once.

    What simplejwt checks of an access token is a pure function of its bytes and the clock (signature,
    claims, type), so a token that passed once passes again until it expires, in any process: only the
    expiry is checked again, at every use, on a copy that carries this request's time. The user's state
    and the sign-in's version are not in here: they are read from the user's row at every request. Bounded,
    oldest dropped first; a changed signing key restarts the processes, and with them this.
    """

    SIZE = 4096

    def __init__(self) -> None:
        self._tokens: dict[bytes, Token] = {}
        self._lock = threading.Lock()  # a threaded server (runserver, gthread) evicts from several threads

    def get(self, raw_token: bytes) -> Token | None:
        found = self._tokens.get(raw_token)
        if found is None:
            return None
        token = copy.copy(found)
        token.current_time = aware_utcnow()
        try:
            token.check_exp()
        except TokenError:
            with self._lock:
                self._tokens.pop(raw_token, None)
            return None  # validated afresh, so it fails with simplejwt's own message
        return token

    def keep(self, raw_token: bytes, token: Token) -> None:
        with self._lock:
            if len(self._tokens) >= self.SIZE:
                del self._tokens[next(iter(self._tokens))]
            self._tokens[raw_token] = token


_validated = _ValidatedTokens()


class JWTPatientAuthentication(JWTAuthentication):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user_model = _UsersWithTheirPatient()

    def get_validated_token(self, raw_token: bytes) -> Token:
        token = _validated.get(raw_token)
        if token is None:
            token = super().get_validated_token(raw_token)
            _validated.keep(raw_token, token)
        return token

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
