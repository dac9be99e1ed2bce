"""The shipped CPT rule sets are stored after every migrate and every flush, and edits are kept."""

import pytest
from django.core.management import call_command

from rehab.billing.models import RuleSet
from rehab.billing.rule_sets import SHIPPED_RULE_SETS, rule_sets_install

SHIPPED = {rules["name"] for rules in SHIPPED_RULE_SETS}


@pytest.mark.django_db(transaction=True)
def test_a_flushed_database_has_the_rule_sets_again():
    # A transactional test's teardown, a `flush`, empties the data migration's rows too.
    call_command("flush", interactive=False, verbosity=0)
    assert set(RuleSet.objects.values_list("name", flat=True)) == SHIPPED


@pytest.mark.django_db
def test_installing_again_keeps_an_operators_correction():
    RuleSet.objects.filter(name="CPT 2026").update(supply_low_days=3)
    assert rule_sets_install() == 0
    assert RuleSet.objects.get(name="CPT 2026").supply_low_days == 3


@pytest.mark.django_db
def test_a_missing_rule_set_is_stored():
    RuleSet.objects.filter(name="CPT 2025").delete()
    assert rule_sets_install() == 1
    assert RuleSet.objects.get(name="CPT 2025").supply_high_days == 16
