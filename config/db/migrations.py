"""What the project's migrations share: SQL that only PostgreSQL runs (triggers the embedded SQLite does without)."""

from django.db import migrations


def postgresql_sql(forward: str, backward: str) -> migrations.RunPython:
    """A migration operation running `forward` (and `backward` when reversed) on PostgreSQL, nothing elsewhere.

    Each is several statements (functions and their triggers), so they run without placeholders.
    """

    def run(sql: str):
        def on_postgresql(apps, schema_editor):
            if schema_editor.connection.vendor == "postgresql":
                schema_editor.execute(sql, params=None)

        return on_postgresql

    return migrations.RunPython(run(forward), run(backward), elidable=False)
