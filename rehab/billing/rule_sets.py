"""The CPT rule sets the product ships: data keyed by the date of service, never branches in code.

Installed after every migrate (BillingConfig.ready), as the protocol library is, so a fresh database,
a test database after a flush and a deploy all have them. A rule set already stored is left as it is:
an operator who corrected a threshold in the admin keeps the correction. A new year's codes are a new
entry here.
"""

from datetime import date

SHIPPED_RULE_SETS = [
    {
        "name": "CPT 2025",
        "effective_from": date(2000, 1, 1),
        "period_days": 30,
        "supply_low_code": "",
        "supply_low_days": None,
        "supply_high_code": "98977",
        "supply_high_days": 16,
        "setup_code": "98975",
        "setup_days": 16,
        "management_low_code": "",
        "management_low_minutes": None,
        "management_code": "98980",
        "management_minutes": 20,
        "management_extra_code": "98981",
        "management_extra_minutes": 20,
        "management_needs_interactive": True,
    },
    {
        "name": "CPT 2026",
        "effective_from": date(2026, 1, 1),
        "period_days": 30,
        "supply_low_code": "98985",
        "supply_low_days": 2,
        "supply_high_code": "98977",
        "supply_high_days": 16,
        "setup_code": "98975",
        "setup_days": 2,
        "management_low_code": "98979",
        "management_low_minutes": 10,
        "management_code": "98980",
        "management_minutes": 20,
        "management_extra_code": "98981",
        "management_extra_minutes": 20,
        "management_needs_interactive": True,
    },
]


def rule_sets_install(*, using: str = "default") -> int:
    """Store the shipped rule sets that are missing; the number stored."""
    from rehab.billing.models import RuleSet

    stored = set(RuleSet.objects.using(using).values_list("name", flat=True))
    missing = [RuleSet(**rules) for rules in SHIPPED_RULE_SETS if rules["name"] not in stored]
    RuleSet.objects.using(using).bulk_create(missing)
    return len(missing)
