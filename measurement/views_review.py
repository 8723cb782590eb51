"""The confirmation step of returning submitted rows to the stewards who entered them:
it lists the chosen rows, says what will happen and asks for the reason the stewards
will read next to each row. ``views.review`` shows it for any return that does not
carry ``confirmed=1``, so no one-click path returns data."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render

from communities.models import Community
from copcore.http import OrganizationRequest
from measurement import selectors
from measurement.models import ImportBatch


def return_confirmation(
    request: OrganizationRequest,
    community: Community,
    ids: list[int],
    comment: str,
    batch: ImportBatch | None = None,
    error: ValidationError | None = None,
) -> HttpResponse:
    pending = selectors.pending_review(community=community)
    rows = list(pending.filter(pk__in=ids) if ids else pending.filter(batch=batch))
    problems = error.messages if error is not None else []
    return render(
        request,
        "measurement/review_return.html",
        {
            "community": community,
            "rows": rows,
            "comment": comment,
            "problems": problems,
            "stewards": sorted({r.entered_by.display_name for r in rows if r.entered_by}),
        },
        status=200 if error is None else 400,
    )
