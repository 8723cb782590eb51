"""The project URLconf plus the public knowledge pages at /p/, as the lead mounts them
in copcore/urls.py: lets the public pages be tested before (and after) that mount."""

from django.urls import include, path

from copcore import urls as project_urls
from knowledge import urls as knowledge_urls

handler403 = project_urls.handler403
handler404 = project_urls.handler404
handler500 = project_urls.handler500

_mounted = any(
    getattr(p, "namespace", None) == "public_knowledge" for p in project_urls.urlpatterns
)

urlpatterns = list(project_urls.urlpatterns)
if not _mounted:
    urlpatterns.append(path("p/", include((knowledge_urls.public_urlpatterns, "public_knowledge"))))
