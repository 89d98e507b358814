"""Every column that refers to a person has an erasure and export policy, or the build says which one lacks it.

After features built in parallel are merged, this is the test that names the
new columns (``table.column``) to add to kbbot/privacy/personal.py's POLICY.
"""

from __future__ import annotations

import importlib
import pkgutil

from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table

import kbbot.store
from kbbot.privacy import personal
from kbbot.store.models import Base


def _all_models_loaded() -> None:
    """Import every module under kbbot.store (and the adapters' stores), so their tables are in the metadata."""
    for module in pkgutil.walk_packages(kbbot.store.__path__, "kbbot.store."):
        importlib.import_module(module.name)


def test_every_person_column_in_the_schema_has_a_policy() -> None:
    _all_models_loaded()
    missing = personal.uncovered(Base.metadata)
    assert missing == [], (
        f"these columns refer to a person (or look as if they do) but have no erasure/export policy: {missing}. "
        "Add each to POLICY (a foreign key to people.id), REFERENCES (an id kept without one) or NOT_PERSONAL "
        "(with the reason) in kbbot/privacy/personal.py")


def test_every_policy_names_a_column_that_exists() -> None:
    _all_models_loaded()
    found = {column.key for column in personal.person_columns(Base.metadata)}
    assert set(personal.POLICY) == found, set(personal.POLICY) ^ found
    for reference in personal.REFERENCES:
        assert reference.column in Base.metadata.tables[reference.table].c


def test_a_new_table_with_a_person_column_is_reported_until_it_has_a_policy() -> None:
    metadata = MetaData()
    for table in Base.metadata.sorted_tables:
        table.to_metadata(metadata)
    Table("expert_invitations", metadata, Column("id", Integer, primary_key=True),
          Column("expert_id", Integer, ForeignKey("people.id")), Column("invited_by", String(64)))
    assert personal.uncovered(metadata) == ["expert_invitations.expert_id", "expert_invitations.invited_by"]
