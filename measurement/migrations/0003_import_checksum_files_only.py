from django.db import migrations, models


class Migration(migrations.Migration):
    """A committed file's checksum stays unique per CoP; API payloads may repeat."""

    dependencies = [
        ("measurement", "0002_measures_observations_imports"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="importbatch",
            name="unique_committed_import_checksum",
        ),
        migrations.AddConstraint(
            model_name="importbatch",
            constraint=models.UniqueConstraint(
                condition=models.Q(
                    ("status", "committed"), models.Q(("source", "api"), _negated=True)
                ),
                fields=("community", "checksum"),
                name="unique_committed_file_checksum",
            ),
        ),
    ]
