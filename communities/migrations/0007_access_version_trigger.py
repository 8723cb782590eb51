# Communities are part of who may see what (a CoP's row decides its dashboards'
# URL and phase): their writes change the AccessVersion token too.

from django.db import migrations

TABLE = "communities_community"


class Migration(migrations.Migration):

    dependencies = [
        ("communities", "0006_membership_emails"),
        ("copcore", "0002_access_version"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE TRIGGER {TABLE}_access_bump AFTER INSERT OR UPDATE OR DELETE ON {TABLE} "
            "FOR EACH STATEMENT EXECUTE FUNCTION copcore_access_bump();",
            f"DROP TRIGGER IF EXISTS {TABLE}_access_bump ON {TABLE};",
        ),
    ]
