"""One account per email address whatever its case.

Sign-in ignores the case of the address, so two accounts that differ only in case
(``Ana@x.org`` and ``ana@x.org``) would make one of them unreachable. Accounts made
by the platform were always stored lower-cased; the admin could store other cases.
Before adding the constraint this migration looks for such pairs and, if it finds
any, stops with the list: an operator decides which account to keep (merge or rename
the other in the admin) and runs ``migrate`` again. Nothing is changed automatically.
"""

import django.db.models.functions.text
from django.db import migrations, models
from django.db.models import Count
from django.db.models.functions import Lower

import copcore.spreadsheet


def refuse_case_duplicates(apps, schema_editor):
    User = apps.get_model("copcore", "User")
    clashes = list(
        User.objects.annotate(address=Lower("email"))
        .values("address")
        .annotate(accounts=Count("id"))
        .filter(accounts__gt=1)
        .values_list("address", flat=True)
    )
    if clashes:
        accounts = User.objects.annotate(address=Lower("email")).filter(address__in=clashes)
        listing = "\n".join(
            f"  {user.pk}: {user.email}" for user in accounts.order_by("address", "pk")
        )
        raise RuntimeError(
            "These accounts differ only in the case of their email address, and sign-in "
            "ignores case. Keep one account per address (change the other's address in "
            "the admin, or merge them) and run migrate again:\n" + listing
        )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("copcore", "0002_access_version"),
    ]

    operations = [
        migrations.AlterField(
            model_name="organization",
            name="slug",
            field=models.SlugField(
                max_length=60,
                unique=True,
                validators=[copcore.spreadsheet.validate_code],
                verbose_name="slug",
            ),
        ),
        migrations.RunPython(refuse_case_duplicates, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("email"),
                name="unique_user_email_ci",
                violation_error_message="An account with this email address already exists.",
            ),
        ),
    ]
