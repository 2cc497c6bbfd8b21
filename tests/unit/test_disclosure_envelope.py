"""The register reads a disclosure's envelope alone (its as-of fold skips the sealed content),
so the envelope must validate each field exactly as the event does."""

from __future__ import annotations

from events.sharing import InformationDisclosed
from projections.register_rows import DisclosureEnvelope


def test_the_envelope_has_the_events_own_field_types() -> None:
    envelope = DisclosureEnvelope.model_fields
    event = InformationDisclosed.model_fields
    assert {name: field.annotation for name, field in envelope.items()} == {
        name: event[name].annotation for name in envelope
    }
    assert all(field.is_required() for field in envelope.values())
    assert all(event[name].is_required() for name in envelope)
