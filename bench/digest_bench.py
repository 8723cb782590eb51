"""Digest benchmark: compose the weekly digests of N members (default 100,000) in the
pipeline's batches, without sending, and compare the rate with rendering the same two
templates (HTML and text) with one fixed context, in the same run on the same machine.
The goal is a composition rate of at least 30% of the fixed-context rendering rate.

The data (an organization with 100 CoPs, N members spread over them, and in every CoP
published assets, field notes, tests of change, threads with posts, sessions, action
items and join requests) is generated once with ``bulk_create`` and reused by later
runs. Results go to ``bench/results/digest.json``.

Environment: ``DIGEST_BENCH_N`` (default 100000), ``DIGEST_BENCH_BATCH`` (default the
task batch size, 300); ``DATABASE_URL`` as for the project.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from pathlib import Path

from bench.common import setup_django

N = int(os.environ.get("DIGEST_BENCH_N", "100000"))
ORG_SLUG = "bench-digest"
COMMUNITIES = 100
RESULTS = Path(__file__).parent / "results" / "digest.json"


def _generate(now: dt.datetime):
    """The bench organization and N members (created once, then reused)."""
    from django.db import transaction
    from django_scopes import scopes_disabled

    from communities.models import Community, CommunityRoleAssignment
    from copcore.models import Organization, OrganizationMembership, User
    from copcore.permissions import CommunityRole
    from sessions.models import ActionItem, Session

    with scopes_disabled():
        organization = Organization.objects.filter(slug=ORG_SLUG).first()
        if organization is None:
            organization = Organization.objects.create(name="Digest bench", slug=ORG_SLUG)
        existing = list(
            User.objects.filter(email__startswith="bench-digest-")
            .exclude(email="bench-digest-owner@example.org")
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if len(existing) >= N:
            return existing[:N]
        print(f"generating {N - len(existing)} members ...", flush=True)
        with transaction.atomic():
            communities = list(Community.objects.filter(organization=organization))
            if not communities:
                communities = Community.objects.bulk_create(
                    [
                        Community(organization=organization, name=f"CoP {k:03d}", slug=f"cop-{k}")
                        for k in range(COMMUNITIES)
                    ]
                )
                owner = User.objects.create(
                    email="bench-digest-owner@example.org", display_name="Bench owner"
                )
                OrganizationMembership.objects.create(organization=organization, user=owner)
                _content(organization, communities, owner, now)
            start = len(existing)
            if start:  # number the new members after the existing ones
                start = 1 + max(
                    int(e.split("-")[-1].split("@")[0])
                    for e in User.objects.filter(pk__in=existing).values_list("email", flat=True)
                )
            users = User.objects.bulk_create(
                [
                    User(
                        email=f"bench-digest-{k}@example.org",
                        display_name=f"Member {k}",
                        password="!",
                        time_zone=("UTC", "Europe/Madrid", "America/Lima")[k % 3],
                        language=("en", "es")[k % 2],
                    )
                    for k in range(start, start + N - len(existing))
                ],
                batch_size=5000,
            )
            OrganizationMembership.objects.bulk_create(
                [OrganizationMembership(organization=organization, user=u) for u in users],
                batch_size=5000,
            )
            roles = []
            for k, user in enumerate(users, start=start):
                community = communities[k % len(communities)]
                role = CommunityRole.MEMBER
                if k % 100 == 0:
                    role = CommunityRole.CONVENER
                elif k % 50 == 1:
                    role = CommunityRole.DATA_STEWARD
                elif k % 50 == 2:
                    role = CommunityRole.SPONSOR
                roles.append(
                    CommunityRoleAssignment(
                        organization=organization,
                        community=community,
                        user=user,
                        role=role,
                        starts_on=now.date() - dt.timedelta(days=30),
                    )
                )
            CommunityRoleAssignment.objects.bulk_create(roles, batch_size=5000)
            sessions = {
                s.community_id: s for s in Session.objects.filter(organization=organization)
            }
            items = []
            for k, user in enumerate(users, start=start):
                if k % 10:
                    continue  # one member in ten has an action item
                community = communities[k % len(communities)]
                items.append(
                    ActionItem(
                        organization=organization,
                        community=community,
                        session=sessions[community.pk],
                        owner=user,
                        description=f"Follow-up {k}",
                        due_on=now.date() + dt.timedelta(days=k % 10 - 3),
                    )
                )
            ActionItem.objects.bulk_create(items, batch_size=5000)
        return list(
            User.objects.filter(email__startswith="bench-digest-", email__endswith="example.org")
            .exclude(email="bench-digest-owner@example.org")
            .order_by("pk")
            .values_list("pk", flat=True)
        )[:N]


def _content(organization, communities, owner, now) -> None:
    from communities.models import JoinRequest, Post, Thread, Workstream
    from knowledge.models import Asset, AssetStatus, FieldNote, PredictionHeld, TestOfChange
    from sessions.models import Session

    recent = now - dt.timedelta(days=2)
    Asset.objects.bulk_create(
        [
            Asset(
                organization=organization,
                community=c,
                kind=Asset.Kind.CHECKLIST,
                title=f"Checklist {k} of {c.name}",
                summary="A checklist with a summary of a few words " * 3,
                owner=owner,
                status=AssetStatus.PUBLISHED,
                published_at=recent,
                updated_at=recent,
            )
            for c in communities
            for k in range(3)
        ]
    )
    FieldNote.objects.bulk_create(
        [
            FieldNote(
                organization=organization,
                community=c,
                author=owner,
                title=f"Field note of {c.name}",
                body="What we saw on the ward this week. " * 5,
                updated_at=recent,
            )
            for c in communities
        ]
    )
    TestOfChange.objects.bulk_create(
        [
            TestOfChange(
                organization=organization,
                community=c,
                author=owner,
                title=f"Test {k} of {c.name}",
                change_idea="Try it",
                study_results="What we found. " * 4,
                prediction_held=(PredictionHeld.NO, PredictionHeld.YES)[k],
                updated_at=recent,
            )
            for c in communities
            for k in range(2)
        ]
    )
    Session.objects.bulk_create(
        [
            Session(
                organization=organization,
                community=c,
                title=f"Learning session of {c.name}",
                kind="all_hands",
                starts_at=now + dt.timedelta(days=4),
                ends_at=now + dt.timedelta(days=4, hours=1),
                time_zone="UTC",
                agenda="Agenda",
            )
            for c in communities
        ]
    )
    workstreams = Workstream.objects.bulk_create(
        [Workstream(organization=organization, community=c, name="General") for c in communities]
    )
    threads = Thread.objects.bulk_create(
        [
            Thread(
                organization=organization,
                community=w.community,
                workstream=w,
                title=f"Question in {w.community.name}",
                author=owner,
            )
            for w in workstreams
        ]
    )
    Post.objects.bulk_create(
        [
            Post(
                organization=organization,
                community=t.community,
                thread=t,
                author=owner,
                body="Reply",
                body_html="<p>Reply</p>",
                created_at=recent,
            )
            for t in threads
            for _ in range(3)
        ]
    )
    JoinRequest.objects.bulk_create(
        [
            JoinRequest(
                organization=organization,
                community=c,
                user=owner,
                job_title="Nurse",
                motivation="Learn",
            )
            for c in communities
        ]
    )


def main() -> None:
    setup_django()
    from django.db import connection, reset_queries
    from django.utils import timezone, translation
    from django_scopes import scopes_disabled

    from notifications import digest
    from notifications.tasks import BATCH_SIZE

    batch_size = int(os.environ.get("DIGEST_BENCH_BATCH", str(BATCH_SIZE)))
    now = timezone.now()
    started = time.perf_counter()
    ids = _generate(now)
    generated_s = time.perf_counter() - started
    with scopes_disabled():
        digest.compose_digests(ids[:batch_size], now)  # warm up templates and URLs
        # compose, in the pipeline's batches, without sending
        composed = 0
        queries_per_batch: set[int] = set()
        connection.force_debug_cursor = True
        started = time.perf_counter()
        for start in range(0, len(ids), batch_size):
            reset_queries()
            composed += len(digest.compose_digests(ids[start : start + batch_size], now))
            queries_per_batch.add(len(connection.queries))
        compose_s = time.perf_counter() - started
        connection.force_debug_cursor = False
        # the same templates with one fixed context (a real digest's context)
        sample = digest.load_people(ids[:batch_size])
        batch = digest.build_batch(sample, now)
        blocks = digest.collect_sections(batch)
        user = next(u for u in sample if u.pk in blocks)
    context = {
        "user": user,
        "blocks": blocks[user.pk],
        "include_content": True,
        "since": now - dt.timedelta(days=7),
        "site_url": "http://127.0.0.1:8000",
        "preferences_url": "http://127.0.0.1:8000/o/x/notifications/preferences/",
        "unsubscribe_url": "http://127.0.0.1:8000/unsubscribe/token/",
        "daily": False,
    }
    renders = len(ids)
    with translation.override(user.language), timezone.override(user.time_zone):
        started = time.perf_counter()
        for _ in range(renders):
            digest.render_digest(context)
        render_s = time.perf_counter() - started
    compose_rate = len(ids) / compose_s
    render_rate = renders / render_s
    result = {
        "members": len(ids),
        "batch_size": batch_size,
        "digests_composed": composed,
        "compose_seconds": round(compose_s, 2),
        "compose_rate_per_s": round(compose_rate, 1),
        "fixed_context_renders": renders,
        "fixed_context_render_seconds": round(render_s, 2),
        "fixed_context_render_rate_per_s": round(render_rate, 1),
        "ratio": round(compose_rate / render_rate, 3),
        "goal_ratio": 0.30,
        "queries_per_batch": sorted(queries_per_batch),
        "data_generation_seconds": round(generated_s, 1),
        "measured_at": now.isoformat(),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
