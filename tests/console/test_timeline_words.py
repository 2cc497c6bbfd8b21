"""The timeline's words for a field's value: what a reviewer reads instead of JSON."""

from __future__ import annotations

from api.console.timeline import timeline_entries


def entry_fields(data: dict[str, object]) -> dict[str, str]:
    event = {
        "position": 1,
        "event": "ReferralReceived",
        "actor_id": "triage-1",
        "actor_role": "mash_triage",
        "actor_agency": "Norfolk MASH",
        "occurred_at": "2026-02-02T11:00:00Z",
        "data": data,
    }
    (entry,) = timeline_entries([event])
    return {field.label: field.value for field in entry.fields}


def test_values_are_said_in_words() -> None:
    said = entry_fields(
        {
            "received_at": "2026-07-02T08:40:00Z",  # British Summer Time: 09:40
            "received_via": "mash_email",
            "referrer": {"full_name": "A Person", "mobile": None},
            "agency": {"agency_id": "x", "name": "Norfolk Constabulary", "agency_type": "police"},
            "recipients": [{"agency_id": "y", "name": "Riverside Academy"}],
            "subject": {"withheld": "sealed", "key_id": "k"},
            "concern": {"withheld": "erased", "key_id": "k"},
            "isp_required": False,
        }
    )
    assert said == {
        "received at": "2 Jul 2026, 09:40",
        "received via": "mash email",
        "referrer": "full name: A Person",
        "agency": "Norfolk Constabulary",
        "recipients": "Riverside Academy",
        "subject": "Sealed personal data",
        "concern": "Erased",
        "isp required": "no",
    }


def test_the_entry_names_its_effective_moment_and_counts_what_is_withheld() -> None:
    (entry,) = timeline_entries(
        [
            {
                "position": 3,
                "event": "ReferralReceived",
                "actor_id": "triage-1",
                "actor_role": "mash_triage",
                "actor_agency": "Norfolk MASH",
                "occurred_at": "2026-02-02T11:00:00Z",
                "data": {
                    "received_at": "2026-02-02T08:40:00Z",
                    "subject": {"withheld": "sealed", "key_id": "k"},
                    "concern": {"withheld": "erased", "key_id": "k"},
                },
            }
        ]
    )
    assert entry.step == "Referral received"
    assert entry.effective == "2026-02-02T08:40:00Z"
    assert (entry.sealed_fields, entry.erased_fields) == (1, 1)
    assert entry.role == "mash triage"
