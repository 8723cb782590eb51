"""Path values for the generic isolation test: objects of organization A for every path
kwarg the communities routes introduce."""

from __future__ import annotations

from django_scopes import scope

from communities import services
from communities.models import JoinRequest, PostFlag
from communities.tests.helpers import first_post, make_thread
from copcore.testing import UserFactory, add_member


def path_values(world) -> dict[str, str]:
    community = world.community_a
    workstream, thread = make_thread(world)
    post = first_post(thread)
    requester = UserFactory(email="requester@a.example", display_name="Rita Requester")
    invitee = UserFactory(email="invitee@a.example", display_name="Ivan Invitee")
    add_member(world.org_a, requester)
    add_member(world.org_a, invitee)
    with scope(organization=world.org_a):
        services.community_design_save(
            actor=world.convener,
            community=community,
            step="call",
            values={"call_type": "restricted"},
        )
        join_request = services.join_request_create(
            actor=requester, community=community, job_title="Nurse", motivation="Learn"
        )
        invitation = services.community_invitation_create(
            actor=world.convener, community=community, user=invitee
        )
        services.charter_draft_update(
            actor=world.convener, community=community, sections={"purpose": "Purpose"}
        )
        version = services.charter_publish(actor=world.convener, community=community)
        flag = services.post_flag(actor=world.member, post=post, reason="Off topic")
        escalation = services.escalation_create(
            actor=world.convener,
            community=community,
            title="No antibiotics stock",
            escalated_to="commissioners",
            owner=world.convener,
        )
        assert JoinRequest.objects.filter(pk=join_request.pk).exists()
        assert PostFlag.objects.filter(pk=flag.pk).exists()
    attachment = _attachment_value(world, thread)
    return {
        "attachment_id": attachment["attachment_id"],
        "step": "problem",
        "workstream_id": workstream.pk,
        "thread_id": thread.pk,
        "post_id": post.pk,
        "join_request_id": join_request.pk,
        "invitation_id": invitation.pk,
        "version_number": version.number,
        "flag_id": flag.pk,
        "escalation_id": escalation.pk,
        "user_id": world.member.pk,
        "assignment_id": community.role_assignments.model.objects.with_scopes_disabled()
        .get(community=community, user=world.member)
        .pk,
    }


def _attachment_value(world, thread) -> dict[str, str]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    with scope(organization=world.org_a):
        post = services.post_create(
            actor=world.convener,
            thread=thread,
            body="See the attached notes",
            attachments=[SimpleUploadedFile("notes.txt", b"Sepsis notes\n", "text/plain")],
        )
        return {"attachment_id": post.attachments.get().pk, "attachment_post_id": post.pk}
