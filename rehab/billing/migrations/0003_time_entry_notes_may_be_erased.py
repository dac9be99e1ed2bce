"""Time entries stay append-only, but a note may be blanked: a patient's erasure removes free text.

The trigger now lets through exactly one kind of UPDATE: every column as it was, and the note
emptied (rehab.billing.services.erasure.time_entry_notes_erase). Figures are never changed.
"""

from django.db import migrations

from config.db.migrations import postgresql_sql

FORWARD = """
CREATE OR REPLACE FUNCTION billing_timeentry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.note = ''
       AND (NEW.id, NEW.patient_id, NEW.clinician_id, NEW.kind, NEW.activity, NEW.started_at, NEW.minutes,
            NEW.interactive, NEW.corrects_id, NEW.recorded_at)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.patient_id, OLD.clinician_id, OLD.kind, OLD.activity, OLD.started_at, OLD.minutes,
            OLD.interactive, OLD.corrects_id, OLD.recorded_at) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'time entries are append-only: record a correction instead'
        USING ERRCODE = 'restrict_violation';
END $$;
"""
BACKWARD = """
CREATE OR REPLACE FUNCTION billing_timeentry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'time entries are append-only: record a correction instead'
        USING ERRCODE = 'restrict_violation';
END $$;
"""



class Migration(migrations.Migration):
    dependencies = [("billing", "0002_cpt_rule_sets_and_append_only_entries")]

    operations = [postgresql_sql(FORWARD, BACKWARD)]
