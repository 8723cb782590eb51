"""The dashboards' models move to the dashboards app (its migration 0001).

State only: Django forgets them here and the dashboards app takes them over with the
same tables (``Meta.db_table`` keeps ``measurement_*``). Nothing in the database
changes: no table is dropped or renamed, rows, constraints and indexes stay, and so do
the statement triggers and the ``measurement_dashboard_bump()`` function that
migration 0004 created (they name tables, which keep their names)."""

from django.db import migrations

MOVED = [
    "ChartNote",
    "CostRecord",
    "DashboardDataVersion",
    "DisclosureRule",
    "ExpectedResultReview",
    "MeasureChartPreference",
    "ReachShare",
    "ReAimProfile",
]


class Migration(migrations.Migration):
    dependencies = [
        ("measurement", "0005_observation_fewer_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name=name) for name in MOVED],
            database_operations=[],
        ),
    ]
