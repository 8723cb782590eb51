"""The dashboards app takes over the models the measurement app created (its
migration 0004) and forgot in its migration 0006.

State only for the tables: each model keeps its ``measurement_*`` table
(``Meta.db_table``), so an existing database keeps every row, constraint, index and
the statement triggers that keep ``DashboardDataVersion`` current (created by
measurement 0004 with the ``measurement_dashboard_bump()`` function; they watch
tables by name, so they go on working and stay where they are). A fresh database
gets the tables and triggers from measurement 0004 as before.

The content types of the moved models are relabelled from ``measurement`` to
``dashboards`` (and back when reversed), so their permissions, guardian object
permissions and audit events (``AuditEvent.target_type``) follow them instead of
being left on stale content types.
"""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MOVED = [
    "chartnote",
    "costrecord",
    "dashboarddataversion",
    "disclosurerule",
    "expectedresultreview",
    "measurechartpreference",
    "reachshare",
    "reaimprofile",
]


def _relabel(apps, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    taken = set(
        ContentType.objects.filter(app_label=new, model__in=MOVED).values_list("model", flat=True)
    )
    ContentType.objects.filter(app_label=old, model__in=set(MOVED) - taken).update(app_label=new)


def content_types_forward(apps, schema_editor):
    _relabel(apps, "measurement", "dashboards")


def content_types_backward(apps, schema_editor):
    _relabel(apps, "dashboards", "measurement")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('communities', '0007_access_version_trigger'),
        ('copcore', '0002_access_version'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('measurement', '0006_dashboards_move_to_their_app'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='DashboardDataVersion',
                    fields=[
                        ('organization', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='+', serialize=False, to='copcore.organization')),
                        ('token', models.CharField(max_length=64)),
                        ('changed_at', models.DateTimeField()),
                    ],
                    options={
                        'db_table': 'measurement_dashboarddataversion',
                    },
                ),
                migrations.CreateModel(
                    name='ChartNote',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('period', models.DateField(verbose_name='date')),
                        ('text', models.CharField(max_length=500, verbose_name='note')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('author', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('community', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='communities.community')),
                        ('measure', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='chart_notes', to='measurement.measure')),
                        ('organization', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='copcore.organization')),
                        ('site', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='measurement.site', verbose_name='site')),
                    ],
                    options={
                        'db_table': 'measurement_chartnote',
                        'ordering': ['measure', 'period', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='DisclosureRule',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('mode', models.CharField(choices=[('round', 'Hide small counts and round the others'), ('threshold', 'Hide counts below a threshold, show the others exactly')], default='round', max_length=12, verbose_name='rule')),
                        ('small_max', models.PositiveIntegerField(default=7, help_text="Counts from 1 up to this number are shown as '*'. For 'suppress below 10' enter 9.", validators=[django.core.validators.MinValueValidator(1)], verbose_name='largest hidden count')),
                        ('rounding_base', models.PositiveIntegerField(default=5, help_text='Used by the rounding rule only.', validators=[django.core.validators.MinValueValidator(1)], verbose_name='round other counts to the nearest')),
                        ('hide_zero', models.BooleanField(default=False, help_text='Zeros are usually shown; hide them where a zero itself discloses.', verbose_name='hide zeros too')),
                        ('secondary_suppression', models.BooleanField(default=True, help_text='Also hide the smallest other figure wherever a hidden one could be worked out from a total and the other figures.', verbose_name='secondary suppression')),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('organization', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='disclosure_rule', to='copcore.organization')),
                        ('updated_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'measurement_disclosurerule',
                    },
                ),
                migrations.CreateModel(
                    name='CostRecord',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('incurred_on', models.DateField(verbose_name='date')),
                        ('amount', models.DecimalField(decimal_places=2, max_digits=14, validators=[django.core.validators.MinValueValidator(0)], verbose_name='amount')),
                        ('currency', models.CharField(default='USD', max_length=3, verbose_name='currency')),
                        ('description', models.CharField(max_length=300, verbose_name='what it paid for')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('community', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='communities.community')),
                        ('organization', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='copcore.organization')),
                        ('recorded_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('site', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='measurement.site', verbose_name='site (blank: the whole CoP)')),
                    ],
                    options={
                        'db_table': 'measurement_costrecord',
                        'ordering': ['-incurred_on', '-id'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('amount__gte', 0)), name='cost_not_negative')],
                    },
                ),
                migrations.CreateModel(
                    name='ExpectedResultReview',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('position', models.PositiveSmallIntegerField()),
                        ('status', models.CharField(choices=[('not_started', 'Not started'), ('on_track', 'On track'), ('at_risk', 'At risk'), ('achieved', 'Achieved'), ('not_achieved', 'Not achieved')], default='not_started', max_length=16, verbose_name='status')),
                        ('note', models.CharField(blank=True, max_length=300, verbose_name='note')),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('community', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='communities.community')),
                        ('organization', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='copcore.organization')),
                        ('updated_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'measurement_expectedresultreview',
                        'constraints': [models.UniqueConstraint(fields=('community', 'position'), name='unique_expected_result_review')],
                    },
                ),
                migrations.CreateModel(
                    name='MeasureChartPreference',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('chart_type', models.CharField(max_length=4, verbose_name='chart')),
                        ('method', models.CharField(choices=[('anhoej', 'Anhoej rules'), ('ihi', 'IHI run chart rules'), ('mdc', 'Making Data Count')], max_length=8, verbose_name='rules')),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('measure', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='chart_preferences', to='measurement.measure')),
                        ('organization', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='copcore.organization')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'measurement_measurechartpreference',
                        'constraints': [models.UniqueConstraint(fields=('measure', 'user'), name='unique_chart_preference')],
                    },
                ),
                migrations.CreateModel(
                    name='ReachShare',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('eligible_count', models.PositiveIntegerField(verbose_name='eligible people in this group')),
                        ('category', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='measurement.stratifiercategory')),
                        ('community', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='communities.community')),
                        ('organization', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='copcore.organization')),
                    ],
                    options={
                        'db_table': 'measurement_reachshare',
                        'constraints': [models.UniqueConstraint(fields=('community', 'category'), name='unique_reach_share')],
                    },
                ),
                migrations.CreateModel(
                    name='ReAimProfile',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('eligible_population', models.PositiveIntegerField(blank=True, null=True, verbose_name='eligible population')),
                        ('eligible_description', models.CharField(blank=True, max_length=300, verbose_name='who is eligible')),
                        ('participants_reached', models.PositiveIntegerField(blank=True, help_text='Leave blank to count them from the Reach measures.', null=True, verbose_name='participants reached')),
                        ('sites_invited', models.PositiveIntegerField(blank=True, null=True, verbose_name='sites invited')),
                        ('staff_eligible', models.PositiveIntegerField(blank=True, null=True, verbose_name='staff who could take part')),
                        ('staff_participating', models.PositiveIntegerField(blank=True, null=True, verbose_name='staff taking part')),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('community', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='reaim_profile', to='communities.community')),
                        ('organization', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='copcore.organization')),
                        ('updated_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'measurement_reaimprofile',
                        'constraints': [models.CheckConstraint(condition=models.Q(('staff_participating__isnull', True), ('staff_eligible__isnull', True), ('staff_participating__lte', models.F('staff_eligible')), _connector='OR'), name='reaim_staff_within_eligible')],
                    },
                ),
            ],
        ),
        migrations.RunPython(content_types_forward, content_types_backward),
    ]
