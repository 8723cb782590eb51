"""The one search index: a row per searchable object of any kind."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communities.models import Community
from copcore.managers import OrganizationScopedManager
from copcore.models import Organization


class Audience(models.TextChoices):
    """Who may read a document, checked in the search query itself. ``reader_ids`` (authors,
    owners) and curators (``curators_see``) are added to any audience."""

    ORGANIZATION = "organization", _("Everyone in the organization")
    COMMUNITY = "community", _("Community members")
    PRIVATE = "private", _("Only its authors and curators")


class SearchDocument(models.Model):
    """What one object contributes to search: its kind and id, where it lives (organization,
    community), who may read it, its plain text and the text-search vector built in its
    language from accent-folded text. Derived data: ``rebuild_search_index`` rewrites it
    from the objects, and writes keep it current after each commit."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=24)
    object_id = models.BigIntegerField()
    url = models.CharField(max_length=500)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    tags = ArrayField(models.CharField(max_length=100), default=list, blank=True)
    date = models.DateTimeField(default=timezone.now)
    config = models.CharField(max_length=20, default="simple")
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    search_vector = SearchVectorField(null=True)
    audience = models.CharField(max_length=16, choices=Audience.choices)
    # For the community audience: the Viewer permission name the reader needs on the
    # community ("view", "view_discussions", ...; knowledge/selectors/access.py).
    permission = models.CharField(max_length=32, default="view")
    reader_ids = ArrayField(models.IntegerField(), default=list, blank=True)
    curators_see = models.BooleanField(default=False)

    objects = OrganizationScopedManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="one_document_per_object")
        ]
        indexes = [
            GinIndex(fields=["search_vector"], name="searchdoc_vector_gin"),
            GinIndex(fields=["reader_ids"], name="searchdoc_readers_gin"),
            GinIndex(fields=["tags"], name="searchdoc_tags_gin"),
            models.Index(fields=["organization", "audience", "community"], name="searchdoc_vis"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"


class SearchTerm(models.Model):
    """A word seen in an organization's documents, the list "did you mean" picks from. A
    suggestion is only offered when it finds documents the person may see, so this list
    never reveals a word on its own."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    word = models.CharField(max_length=60)

    objects = OrganizationScopedManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "word"], name="one_term_per_org")
        ]

    def __str__(self) -> str:
        return self.word
