"""Double submits store once: every dashboard form carries a one-time token (FormSubmission).

The first submit claims the token in the transaction of its action; a second submit of the same
form waits on the claim's unique key until the first commits, then finds it and is answered with
what the first did. What a page shows only once (an activation code, a webhook secret) is kept
for the token's answer a short while in the cache, never in the database.
"""

import uuid
from collections.abc import Callable

from django.core.cache import cache
from django.db import IntegrityError, transaction

from config import clock
from config.errors import FieldErrors
from patients.models import User
from rehab.dashboard.models import FormSubmission

TOKEN_FIELD = "form_token"
# Long enough to print the page or reload it once; an activation code lost after that is issued
# again from the patient's page.
SHOWN_ONCE_SECONDS = 15 * 60


class FormExpired(FieldErrors):
    """The form's token is missing, malformed or someone else's."""


def form_token_new() -> str:
    return str(uuid.uuid4())


def form_token_read(data) -> uuid.UUID:
    try:
        return uuid.UUID(str(data.get(TOKEN_FIELD, "")))
    except ValueError:
        raise FormExpired.on(TOKEN_FIELD, "This form has expired; check what it says and send it again.") from None


def submit_once(
    *, token: uuid.UUID, actor: User, action: str, perform: Callable[[FormSubmission], None]
) -> tuple[FormSubmission, bool]:
    """Run `perform` once per token; returns (the submission, whether this call performed it).

    `perform` does the action through its service and notes on the submission what it made; an
    error it raises rolls the claim back too.
    """
    with transaction.atomic():
        try:
            with transaction.atomic():
                submission = FormSubmission.objects.create(
                    token=token, actor=actor, action=action, created_at=clock.now()
                )
        except IntegrityError:
            earlier = FormSubmission.objects.filter(token=token, actor=actor, action=action).first()
            if earlier is None:
                raise FormExpired.on(TOKEN_FIELD, "This form was sent for something else; open it again.") from None
            return earlier, False
        perform(submission)
        submission.save()
    return submission, True


def submission_of(*, token: uuid.UUID, actor: User, action: str) -> FormSubmission | None:
    return FormSubmission.objects.filter(token=token, actor=actor, action=action).first()


def _key(token: uuid.UUID) -> str:
    return f"dashboard:shown-once:{token}"


def shown_once_keep(token: uuid.UUID, value: str) -> None:
    """Kept before the claim commits, so a repeat that waited on the claim always finds it."""
    cache.set(_key(token), value, SHOWN_ONCE_SECONDS)


def shown_once_read(token: uuid.UUID, *, forget: bool) -> str | None:
    value = cache.get(_key(token))
    if forget:
        cache.delete(_key(token))
    return value
