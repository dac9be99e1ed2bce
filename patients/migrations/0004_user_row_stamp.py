"""User.row_stamp, and the trigger that renews it on every update of a user row.

The API keeps signed-in users in a per-process cache keyed by (the user's row_stamp, their patient's
enrollments_stamp), and each request reads only those two stamps (patients.api.authentication). That
is exact only if every change to a user row gives it a new stamp in the same transaction, whatever
wrote it: a service, the admin, a QuerySet.update(), raw SQL, another process. A trigger is the one
place no writer can go around. (The patient's stamp is renewed on every update of a patient row by
care migration 0002.) Random values rather than a counter: a stamp written by a transaction that
rolled back is never written again. PostgreSQL only; on SQLite the cache is off.
"""

import uuid

from django.db import migrations, models

from config.db.migrations import postgresql_sql

FORWARD = """
CREATE FUNCTION patients_user_stamp_renew() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.row_stamp := gen_random_uuid();
    RETURN NEW;
END $$;
CREATE TRIGGER patients_user_stamp_renew BEFORE UPDATE ON patients_user
    FOR EACH ROW EXECUTE FUNCTION patients_user_stamp_renew();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS patients_user_stamp_renew ON patients_user;
DROP FUNCTION IF EXISTS patients_user_stamp_renew();
"""



class Migration(migrations.Migration):
    dependencies = [("patients", "0003_clinic_time_zone_and_totp_requirement")]

    operations = [
        migrations.AddField(
            model_name="user", name="row_stamp", field=models.UUIDField(default=uuid.uuid4, editable=False)
        ),
        postgresql_sql(FORWARD, BACKWARD),
    ]
