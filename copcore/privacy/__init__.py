"""People leave, and their data is theirs (UK/EU GDPR and similar laws).

An org admin removes a person from the organization; a person downloads everything the
platform holds about them, or asks for erasure. What they wrote stays with the CoP,
shown as by a former member. docs/privacy.md describes all of it for a data protection
officer.
"""
