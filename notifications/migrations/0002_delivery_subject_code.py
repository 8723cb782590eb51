"""Delivery records keep their subject as a code with parameters.

Existing records get the code where the kind and period say it all (digests, action
items, role terms, charters). Session and data reminders named a session or a CoP in
their subject; those older rows keep showing the text they were sent with.
"""

from django.db import migrations, models

FIXED_SUBJECTS = ("action_items", "role_term", "charter_ack")


def fill_subject_codes(apps, schema_editor):
    DeliveryRecord = apps.get_model("notifications", "DeliveryRecord")
    sent = DeliveryRecord.objects.exclude(subject="")
    sent.filter(kind="digest", period_key__contains="-W").update(subject_code="digest_weekly")
    sent.filter(kind="digest").exclude(period_key__contains="-W").update(
        subject_code="digest_daily"
    )
    for kind in FIXED_SUBJECTS:
        sent.filter(kind=kind).update(subject_code=kind)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="deliveryrecord",
            name="subject_code",
            field=models.CharField(blank=True, max_length=40),
        ),
        migrations.AddField(
            model_name="deliveryrecord",
            name="subject_params",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunPython(fill_subject_codes, migrations.RunPython.noop),
    ]
