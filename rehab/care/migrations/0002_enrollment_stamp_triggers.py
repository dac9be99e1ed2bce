"""Database triggers that keep Patient.enrollments_stamp honest.

The API keeps each patient's enrolments in a per-process cache keyed by
(patient id, enrollments_stamp), and reads the stamp with the signed-in user.
That is exact only if every change a cached history depends on gives the
patient a new stamp in the same transaction, whatever wrote it: a service, the
admin, a QuerySet.update(), a bulk COPY, a management command, raw SQL, another
process. Triggers are the one place no writer can go around:

- any UPDATE of a patient row gets a fresh random stamp (so a save() from an
  instance loaded before an enrolment change cannot write the old stamp back);
- INSERT, UPDATE, DELETE or TRUNCATE of enrolments touches their patients;
- an UPDATE that changes a protocol or a protocol version touches the
  patients enrolled on it (cached enrolments carry both rows).

Random values rather than a counter: a stamp written by a transaction that
rolled back is never written again, so nothing cached under it can match a
later state. PostgreSQL only; on SQLite (the embedded default) the cache is
off and enrolments are read every time.
"""

from django.db import migrations

from config.db.migrations import postgresql_sql

FORWARD = """
CREATE FUNCTION patients_patient_stamp_renew() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.enrollments_stamp := gen_random_uuid();
    RETURN NEW;
END $$;
CREATE TRIGGER patients_patient_stamp_renew BEFORE UPDATE ON patients_patient
    FOR EACH ROW EXECUTE FUNCTION patients_patient_stamp_renew();

-- (The trigger above would renew the stamp of any update; setting it says what these are for.)
CREATE FUNCTION rehab_enrollment_stamp_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE patients_patient SET enrollments_stamp = gen_random_uuid() WHERE id IN (SELECT patient_id FROM new_rows);
    RETURN NULL;
END $$;
CREATE FUNCTION rehab_enrollment_stamp_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE patients_patient SET enrollments_stamp = gen_random_uuid()
    WHERE id IN (SELECT patient_id FROM new_rows UNION SELECT patient_id FROM old_rows);
    RETURN NULL;
END $$;
CREATE FUNCTION rehab_enrollment_stamp_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE patients_patient SET enrollments_stamp = gen_random_uuid() WHERE id IN (SELECT patient_id FROM old_rows);
    RETURN NULL;
END $$;
CREATE FUNCTION rehab_enrollment_stamp_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE patients_patient SET enrollments_stamp = gen_random_uuid();
    RETURN NULL;
END $$;
CREATE TRIGGER rehab_enrollment_stamp_inserted AFTER INSERT ON rehab_enrollment
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rehab_enrollment_stamp_inserted();
CREATE TRIGGER rehab_enrollment_stamp_updated AFTER UPDATE ON rehab_enrollment
    REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rehab_enrollment_stamp_updated();
CREATE TRIGGER rehab_enrollment_stamp_deleted AFTER DELETE ON rehab_enrollment
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION rehab_enrollment_stamp_deleted();
CREATE TRIGGER rehab_enrollment_stamp_truncated AFTER TRUNCATE ON rehab_enrollment
    FOR EACH STATEMENT EXECUTE FUNCTION rehab_enrollment_stamp_truncated();

-- Published versions are never edited (the admin and the library refuse it), and the library's
-- update_or_create rewrites protocols unchanged on every sync: only a real change touches patients.
CREATE FUNCTION protocols_protocolversion_stamp_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE patients_patient SET enrollments_stamp = gen_random_uuid() WHERE id IN (
        SELECT e.patient_id FROM rehab_enrollment e
        WHERE e.protocol_version_id IN (
            SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE (n.*) IS DISTINCT FROM (o.*)
        )
    );
    RETURN NULL;
END $$;
CREATE FUNCTION protocols_protocol_stamp_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE patients_patient SET enrollments_stamp = gen_random_uuid() WHERE id IN (
        SELECT e.patient_id FROM rehab_enrollment e
        JOIN protocols_protocolversion v ON v.id = e.protocol_version_id
        WHERE v.protocol_id IN (
            SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE (n.*) IS DISTINCT FROM (o.*)
        )
    );
    RETURN NULL;
END $$;
CREATE TRIGGER protocols_protocolversion_stamp_updated AFTER UPDATE ON protocols_protocolversion
    REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION protocols_protocolversion_stamp_updated();
CREATE TRIGGER protocols_protocol_stamp_updated AFTER UPDATE ON protocols_protocol
    REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION protocols_protocol_stamp_updated();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS protocols_protocol_stamp_updated ON protocols_protocol;
DROP TRIGGER IF EXISTS protocols_protocolversion_stamp_updated ON protocols_protocolversion;
DROP TRIGGER IF EXISTS rehab_enrollment_stamp_truncated ON rehab_enrollment;
DROP TRIGGER IF EXISTS rehab_enrollment_stamp_deleted ON rehab_enrollment;
DROP TRIGGER IF EXISTS rehab_enrollment_stamp_updated ON rehab_enrollment;
DROP TRIGGER IF EXISTS rehab_enrollment_stamp_inserted ON rehab_enrollment;
DROP TRIGGER IF EXISTS patients_patient_stamp_renew ON patients_patient;
DROP FUNCTION IF EXISTS protocols_protocol_stamp_updated();
DROP FUNCTION IF EXISTS protocols_protocolversion_stamp_updated();
DROP FUNCTION IF EXISTS rehab_enrollment_stamp_truncated();
DROP FUNCTION IF EXISTS rehab_enrollment_stamp_deleted();
DROP FUNCTION IF EXISTS rehab_enrollment_stamp_updated();
DROP FUNCTION IF EXISTS rehab_enrollment_stamp_inserted();
DROP FUNCTION IF EXISTS patients_patient_stamp_renew();
"""



class Migration(migrations.Migration):
    dependencies = [
        ("care", "0001_initial"),
        ("patients", "0001_initial"),
        ("protocols", "0001_initial"),
    ]

    operations = [postgresql_sql(FORWARD, BACKWARD)]
