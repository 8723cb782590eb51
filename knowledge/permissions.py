"""Permissions of the knowledge app, granted per community through roles."""

from enum import StrEnum


class KnowledgePermission(StrEnum):
    ADD_FIELD_NOTE = "knowledge.add_field_note"
    ADD_TEST_OF_CHANGE = "knowledge.add_test_of_change"
    ADD_ASSET = "knowledge.add_asset"
    CURATE = "knowledge.curate"
