"""Pages of the evaluation app (mounted at /o/<org_slug>/) and its API routes
(mounted at /api/v1/o/<org_slug>/). Each app picks its own sub-prefixes."""

app_name = "evaluation"

urlpatterns: list = []

api_urlpatterns: list = []
