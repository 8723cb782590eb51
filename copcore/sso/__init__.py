"""Sign-in: django-allauth adapters, per-organization identity providers (OpenID
Connect), the second-factor policy and the pages org admins set them up with."""
