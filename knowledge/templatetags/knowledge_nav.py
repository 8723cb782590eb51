"""What the knowledge navigation shows the person looking: the curation queue only to
those who may open it (curators of a CoP, organization admins)."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def may_curate(context) -> bool:
    request = context.get("request")
    if request is None or getattr(request, "organization", None) is None:
        return False
    from knowledge.views import viewer

    v = viewer(request)
    return bool(v.ids("curate")) or v.is_org_admin


# Context names under which knowledge pages hold the object they show.
OBJECT_KEYS = ("asset", "note", "test", "previous")


@register.simple_tag(takes_context=True)
def knowledge_community(context):
    """The CoP a knowledge page is about, so the page keeps that CoP's header and
    navigation: the community of the asset, note or test shown, or the ``community``
    filter of a list (reached from the CoP's Knowledge entry). None for pages about the
    whole organization. Only a community of the request's organization is returned."""
    for key in OBJECT_KEYS:
        shown = context.get(key)
        if getattr(shown, "community_id", None):
            return shown.community
    request = context.get("request")
    organization = getattr(request, "organization", None)
    raw = request.GET.get("community", "") if organization is not None else ""
    if not raw.isdigit():
        return None
    from communities.models import Community

    return Community.objects.filter(organization=organization, pk=int(raw)).first()
