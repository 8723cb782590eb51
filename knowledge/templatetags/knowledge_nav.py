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
