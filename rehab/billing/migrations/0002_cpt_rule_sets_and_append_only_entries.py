"""The CPT rule sets (data, keyed by date of service) and the trigger that keeps time entries append-only.

2025: 98975 (set-up) and 98977 (supply) need 16 data days; 98980 from 20 minutes with an interactive
call, 98981 for each further 20. CPT 2026 (from 2026-01-01) adds 98985 (supply, 2-15 days) and 98979
(management, 10-19 minutes), and set-up needs 2 data days in the first period.

The trigger refuses UPDATE and DELETE of a time entry whatever writes it (the admin, a QuerySet
update, raw SQL): a correction is a new entry. PostgreSQL only, like care's stamp triggers; on the
embedded SQLite default the model's save() and delete() guard alone.
"""

from django.db import migrations

from config.db.migrations import postgresql_sql

from rehab.billing.rule_sets import SHIPPED_RULE_SETS as RULE_SETS



def seed(apps, schema_editor):
    RuleSet = apps.get_model("billing", "RuleSet")
    for rules in RULE_SETS:
        RuleSet.objects.update_or_create(name=rules["name"], defaults=rules)


def unseed(apps, schema_editor):
    apps.get_model("billing", "RuleSet").objects.filter(name__in=[r["name"] for r in RULE_SETS]).delete()


FORWARD = """
CREATE FUNCTION billing_timeentry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'time entries are append-only: record a correction instead'
        USING ERRCODE = 'restrict_violation';
END $$;
CREATE TRIGGER billing_timeentry_append_only BEFORE UPDATE OR DELETE ON billing_timeentry
    FOR EACH ROW EXECUTE FUNCTION billing_timeentry_append_only();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS billing_timeentry_append_only ON billing_timeentry;
DROP FUNCTION IF EXISTS billing_timeentry_append_only();
"""



class Migration(migrations.Migration):
    dependencies = [("billing", "0001_rtm_models")]

    operations = [
        migrations.RunPython(seed, unseed),
        postgresql_sql(FORWARD, BACKWARD),
    ]
