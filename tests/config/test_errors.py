"""The exception handler turns each kind of service refusal into its status and the contract's shape."""

import pytest

from config import errors as domain
from config.api.errors import error_body, exception_handler


class NoteMissing(domain.FieldErrors):
    pass


class Taken(domain.Conflict):
    pass


class StaffOnly(domain.NotAllowed):
    pass


def answer(exc: Exception) -> tuple[int, dict]:
    response = exception_handler(exc, {})
    return response.status_code, response.data


def test_field_errors_are_a_400_validation_error_naming_each_field():
    exc = NoteMissing({"note": ["A note is needed."], "details.site": ["Must be one of: heel."]})
    fields = {"note": ["A note is needed."], "details.site": ["Must be one of: heel."]}
    assert answer(exc) == (400, error_body("validation_error", "The request is not valid: details.site, note.", fields))


def test_field_errors_on_one_field_name_that_field():
    assert answer(domain.FieldErrors.on("note", "A note is needed.")) == (
        400,
        error_body("validation_error", "The request is not valid: note.", {"note": ["A note is needed."]}),
    )


def test_a_conflict_is_a_409_conflict_with_its_message():
    assert answer(Taken("Already acknowledged.")) == (409, error_body("conflict", "Already acknowledged."))


def test_not_allowed_is_a_403_permission_denied_with_its_message():
    assert answer(StaffOnly("Only a patient has quiet hours.")) == (
        403,
        error_body("permission_denied", "Only a patient has quiet hours."),
    )


def test_a_domain_error_of_no_kind_is_a_programming_error_not_an_answer():
    class Vague(domain.DomainError):
        pass

    with pytest.raises(TypeError, match="Vague is a DomainError of no known kind"):
        exception_handler(Vague("something"), {})


def test_an_error_that_is_not_a_refusal_is_left_to_django():
    assert exception_handler(ValueError("a bug"), {}) is None


def test_the_schema_lists_every_code_an_error_can_carry():
    from config.api import errors
    from config.api.serializers import ErrorDetailSerializer

    raised = {code for _, code in errors._CODES} | {"bad_request", "server_error"}
    assert raised <= set(errors.ERROR_CODES)
    described = ErrorDetailSerializer().fields["code"].help_text
    assert all(code in described for code in errors.ERROR_CODES)
