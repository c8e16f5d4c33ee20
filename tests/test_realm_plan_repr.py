from __future__ import annotations

from realm.plan import Change, FieldChange


def test_a_printed_plan_never_shows_a_client_secret() -> None:
    change = Change("client", "dashboard-pimpinan", "update",
                    [FieldChange("secret", "old-secret-value", "new-secret-value", secret=True)])
    text = repr(change)
    assert "new-secret-value" not in text and "old-secret-value" not in text
    assert "********" in text


def test_ordinary_fields_still_show_old_and_new() -> None:
    text = repr(FieldChange("name", "a", "b"))
    assert "old='a'" in text and "new='b'" in text
