"""Diffing two versions of a pack and the changelog it renders."""

from __future__ import annotations

import copy

from steward.core.policy import FieldChange, PackDiff, diff_packs, parse_pack, render_changelog


def _versions(default_pack):
    old = default_pack
    data = copy.deepcopy(old.to_dict())
    data["rules"] = [r for r in data["rules"] if r["id"] != "drift.alert"]
    for rule in data["rules"]:
        if rule["id"] == "fairness.equalized_odds":
            rule["severity"] = "block"
            rule["citation"]["article"] = "Art. 10(2)(f)"
    data["rules"].append({
        "id": "content.fake_reviews", "title": "No fake reviews",
        "rationale": "Fake reviews deceive customers.",
        "citation": {"instrument": "FTC Rule on Consumer Reviews and Testimonials",
                     "article": "16 CFR 465.2",
                     "url": "https://www.ecfr.gov/current/title-16/chapter-I/subchapter-D/part-465"},
        "applies_to": "content", "severity": "block",
        "condition": "content.fake_review_count > 0",
    })
    data["gates"]["production"]["approvals"] = ["committee", "legal"]
    data["gates"]["production"]["evidence"][0]["max_age_days"] = 60
    data["thresholds"]["fairness.min_group_size"] = 50
    data["attestation"]["roles"] = ["marketing", "committee"]
    return old, parse_pack(data)


def test_diff_finds_added_removed_and_changed_rules(default_pack) -> None:
    old, new = _versions(default_pack)
    diff = diff_packs(old, new)
    assert isinstance(diff, PackDiff) and not diff.is_empty
    assert [r.id for r in diff.added] == ["content.fake_reviews"]
    assert [r.id for r in diff.removed] == ["drift.alert"]
    assert [c.id for c in diff.changed] == ["fairness.equalized_odds"]
    assert diff.changed[0].fields == [
        FieldChange("citation.article", "Art. 10(2)(f)-(g) (examination and correction of "
                    "possible biases)", "Art. 10(2)(f)"),
        FieldChange("severity", "warn", "block"),
    ]


def test_diff_finds_gate_and_settings_changes(default_pack) -> None:
    old, new = _versions(default_pack)
    diff = diff_packs(old, new)
    assert FieldChange("production.approvals", ["committee", "legal", "privacy"],
                       ["committee", "legal"]) in diff.gates_changed
    assert FieldChange("production.evidence.fairness_audit.max_age_days", 90, 60) in (
        diff.gates_changed)
    assert FieldChange("thresholds.fairness.min_group_size", 30, 50) in diff.settings_changed
    assert FieldChange("attestation.roles",
                       ["marketing", "data_science", "legal", "privacy", "committee"],
                       ["marketing", "committee"]) in diff.settings_changed
    data = diff.to_dict()
    assert data["added"][0]["id"] == "content.fake_reviews"
    assert data["changed"][0]["fields"][1] == {"field": "severity", "before": "warn",
                                               "after": "block"}


def test_the_same_pack_has_no_changes(default_pack) -> None:
    diff = diff_packs(default_pack, parse_pack(default_pack.to_yaml()))
    assert diff.is_empty
    assert render_changelog(diff, "v2") == "## Policy v2\n\nNo changes.\n"


def test_added_and_removed_thresholds(make_pack) -> None:
    old = parse_pack(make_pack(thresholds={"a.x": 1}))
    new = parse_pack(make_pack(thresholds={"b.y": [1, 2]}))
    assert diff_packs(old, new).settings_changed == [FieldChange("thresholds.a.x", 1, None),
                                                     FieldChange("thresholds.b.y", None, [1, 2])]


def test_the_changelog_reads_well(default_pack) -> None:
    old, new = _versions(default_pack)
    text = render_changelog(diff_packs(old, new), "version 7")
    assert text.startswith("## Policy version 7\n")
    assert "### Added rules\n\n- `content.fake_reviews` — No fake reviews (block, applies to " \
           "content; FTC Rule on Consumer Reviews and Testimonials, 16 CFR 465.2)" in text
    assert "### Removed rules\n\n- `drift.alert` — Model inputs have not drifted" in text
    assert ("### Changed rules\n\n- `fairness.equalized_odds` — Equalized-odds difference at "
            "most 0.1 between customer groups\n") in text
    assert "  - severity: `warn` → `block`" in text
    assert ('- production.approvals: `["committee", "legal", "privacy"]` → '
            '`["committee", "legal"]`') in text
    assert "- production.evidence.fairness_audit.max_age_days: `90` → `60`" in text
    assert "### Settings\n" in text
    assert "- thresholds.fairness.min_group_size: `30` → `50`" in text
    headings = ["### Added", "### Removed", "### Changed", "### Stage gates", "### Settings"]
    positions = [text.index(h) for h in headings]
    assert positions == sorted(positions)


def test_values_with_backticks_and_absent_values_render(make_rule, make_pack) -> None:
    old = parse_pack(make_pack(make_rule("r", message="plain")))
    new = parse_pack(make_pack(make_rule("r", message="use `code`")))
    gone = parse_pack(make_pack(make_rule("r")))
    assert "  - message: `plain` → `` use `code` ``" in render_changelog(diff_packs(old, new), "2")
    assert "  - message: `plain` → (none)" in render_changelog(diff_packs(old, gone), "3")
