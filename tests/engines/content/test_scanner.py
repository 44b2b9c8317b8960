"""The content scanner: each rule family, citations, offsets, batch mode, organisation rules."""

import textwrap
from pathlib import Path

import pytest

from steward.engines.content import ContentRule, Finding, Scanner, VerdictPolicy, judge
from steward.errors import InvalidInput
from steward.rules.content_loader import load_content_rules

EMAIL_FOOTER = ("\nAdvertisement. Unsubscribe: https://northwind.example/u\n"
                "Northwind Outfitters, 100 Harbor Street, Portland, OR 97201")


@pytest.fixture(scope="module")
def scanner() -> Scanner:
    return Scanner(load_content_rules(plugins=False))


def rules(result) -> set[str]:  # type: ignore[no-untyped-def]
    return {f.rule for f in result.findings}


def test_chatbot_without_bot_disclosure_is_blocked_with_its_citation(scanner) -> None:  # type: ignore[no-untyped-def]
    transcript = "Bot: Hello! How can I help you today?\nUser: hours?\nBot: I'm a bot, 9 to 5."
    result = scanner.scan(transcript, channel="chat")
    assert result.verdict == "block"
    finding = next(f for f in result.findings if f.rule == "disclosure.chatbot-first-turn")
    assert finding.citation.article == "§ 17941"
    assert "Bus. & Prof." in finding.citation.instrument
    assert (finding.start, finding.end) == (0, transcript.index("\nUser"))
    ok = "Bot: Hi, I'm Northwind's virtual assistant (a bot).\nUser: hours?"
    assert "disclosure.chatbot-first-turn" not in rules(scanner.scan(ok, channel="chat"))


def test_email_without_unsubscribe_is_blocked_with_can_spam_citation(scanner) -> None:  # type: ignore[no-untyped-def]
    email = ("Subject: Spring sale\nAdvertisement: 20% off boots.\n"
             "Northwind Outfitters, 100 Harbor Street, Portland, OR 97201")
    result = scanner.scan(email, channel="email")
    assert result.verdict == "block"
    finding = next(f for f in result.findings if f.rule == "email.unsubscribe-missing")
    assert "7704(a)(3)" in finding.citation.article
    assert rules(scanner.scan(email + "\nUnsubscribe here.", channel="email")) & {
        "email.unsubscribe-missing", "email.postal-address-missing"} == set()


def test_email_address_and_deceptive_subject(scanner) -> None:  # type: ignore[no-untyped-def]
    result = scanner.scan("Subject: RE: your account\nSave now. Unsubscribe anytime.",
                          channel="email")
    assert {"email.postal-address-missing", "email.deceptive-subject"} <= rules(result)
    threaded = scanner.scan("Subject: RE: your account\nThanks." + EMAIL_FOOTER,
                            channel="email", metadata={"in_thread": True})
    assert "email.deceptive-subject" not in rules(threaded)


def test_ai_testimonial_is_caught(scanner) -> None:  # type: ignore[no-untyped-def]
    text = '"These boots changed my life, best purchase ever!" - Sarah, verified buyer'
    result = scanner.scan(text, channel="social", metadata={"ai_generated": True})
    assert result.verdict == "block"
    finding = next(f for f in result.findings if f.rule == "reviews.ai-testimonial-in-copy")
    assert finding.citation.instrument == "16 CFR 465"
    assert text[finding.start:finding.end] == finding.text
    presented = scanner.scan("Great tent, stayed dry all night.", channel="web",
                             metadata={"ai_generated": True, "presented_as": "review"})
    assert "reviews.ai-written-review" in rules(presented)
    human = scanner.scan(text, channel="social")
    assert "reviews.ai-testimonial-in-copy" not in rules(human)


def test_ai_disclosure_by_text_or_metadata(scanner) -> None:  # type: ignore[no-untyped-def]
    copy = "New season, new gear: our rain jacket is back."
    assert "disclosure.ai-content" in rules(scanner.scan(copy, channel="social",
                                                         metadata={"ai_generated": True}))
    assert "disclosure.ai-content" not in rules(scanner.scan(
        copy + " Created with the help of AI.", channel="social", metadata={"ai_generated": True}))
    assert "disclosure.ai-content" not in rules(scanner.scan(
        copy, channel="social", metadata={"ai_generated": True, "ai_disclosure": True}))


def test_reviews_incentives_and_endorsements(scanner) -> None:  # type: ignore[no-untyped-def]
    assert "reviews.incentive-for-positive" in rules(scanner.scan(
        "Leave a 5-star review and get 10% off your next order!", channel="email"))
    endorsement = {"endorsement": True}
    assert "endorsements.material-connection-missing" in rules(scanner.scan(
        "Loving my new boots from Northwind!", channel="social", metadata=endorsement))
    far = "Loving my new boots from Northwind! " + "So comfy. " * 30 + "#ad"
    assert rules(scanner.scan(far, channel="social", metadata=endorsement)) >= {
        "endorsements.disclosure-not-close"}
    near = "#ad Loving my new boots from Northwind!"
    assert not rules(scanner.scan(near, channel="social", metadata=endorsement)) & {
        "endorsements.disclosure-not-close", "endorsements.material-connection-missing"}
    assert "endorsements.results-not-typical" in rules(scanner.scan(
        "I lost 30 pounds in a month with this plan!", channel="ad"))


def test_claims(scanner) -> None:  # type: ignore[no-untyped-def]
    text = ("Clinically proven insoles. Our balm cures eczema. FDA approved! Guaranteed returns "
            "on our fund. Only $29 a month.")
    found = rules(scanner.scan(text, channel="ad"))
    assert {"claims.clinically-proven", "claims.health-disease", "claims.fda-approved",
            "claims.guaranteed-returns", "claims.credit-trigger-terms"} <= found
    with_apr = scanner.scan("Only $29 a month, 9.9% APR.", channel="ad")
    assert "claims.credit-trigger-terms" not in rules(with_apr)
    assert rules(scanner.scan("Treat yourself to a new jacket.", channel="ad")) == set()


def test_biased_language_with_neutral_suggestions(scanner) -> None:  # type: ignore[no-untyped-def]
    result = scanner.scan("Our top salesman wants young and energetic digital natives.",
                          channel="web")
    by_rule = {f.rule: f for f in result.findings}
    assert "salesperson" in by_rule["bias.gender-coded"].suggestion
    assert by_rule["bias.age-coded"].severity == "review"


def test_pii_findings_carry_entity_types(scanner) -> None:  # type: ignore[no-untyped-def]
    result = scanner.scan("Card 4111 1111 1111 1111, mail ada@example.com", channel="sms")
    assert result.verdict == "block"
    assert {(f.rule, f.entity_type) for f in result.findings} >= {
        ("pii.payment-card", "CREDIT_CARD"), ("pii.contact-details", "EMAIL_ADDRESS")}


def test_html_offsets_point_into_the_markup(scanner) -> None:  # type: ignore[no-untyped-def]
    html = ('<html><body><p>Clinically <b>proven</b>? No: <i>clinically proven</i>.</p>'
            '<a href="https://x.example/unsubscribe">Manage</a></body></html>')
    result = scanner.scan(html, channel="email")
    found = [html[f.start:f.end] for f in result.findings if f.rule == "claims.clinically-proven"]
    assert found == ["Clinically <b>proven", "clinically proven"]  # across tags, too
    assert "email.unsubscribe-missing" not in rules(result)


def test_batch_equals_one_by_one(scanner) -> None:  # type: ignore[no-untyped-def]
    items = [("Card 4111 1111 1111 1111", "sms", None),
             ("Bot: Hello!\nUser: hi", "chat", {}),
             ("Ünïcode café: mail zoë@example.fr or ada@example.com", "web", None),
             ("", "web", None),
             ("Subject: FW: deal\nbig deal", "email", {"ai_generated": True})]
    batch = scanner.scan_many(items)
    assert batch == [scanner.scan(t, channel=c, metadata=m) for t, c, m in items]


def test_hyperscan_and_re_engines_agree() -> None:
    pytest.importorskip("hyperscan")
    rules_ = load_content_rules(plugins=False)
    fast, slow = Scanner(rules_, engine="hyperscan"), Scanner(rules_, engine="re")
    text = ("Subject: RE: hi\nHey guys! Clinically proven. Only $5 a month. Call +1 415 555 2671."
            '\n"Best ever!" - Jo, verified buyer')
    for channel in ("email", "chat", "social"):
        meta = {"ai_generated": True}
        assert fast.scan(text, channel=channel, metadata=meta) == slow.scan(
            text, channel=channel, metadata=meta)


def test_organisation_rules_through_the_same_loader(tmp_path: Path) -> None:
    (tmp_path / "brand.yaml").write_text(textwrap.dedent("""\
        rules:
          - id: org.banned-cheapest
            family: organisation
            title: Banned word
            severity: block
            citation: {instrument: Northwind brand book, article: "§ 2"}
            terms: {cheapest: best value}
          - id: org.tagline
            family: organisation
            title: Tagline missing
            severity: review
            applies: {channels: [email]}
            citation: {instrument: Northwind brand book, article: "§ 1"}
            require_terms: ["Northwind Outfitters"]
          - id: bias.ableist-casual
            family: bias
            title: switched off
            severity: info
            citation: {instrument: x}
            enabled: false
        """))
    scanner = Scanner(load_content_rules(extra_paths=[tmp_path], plugins=False))
    result = scanner.scan("The cheapest boots! Crazy deals.", channel="email")
    found = {f.rule: f for f in result.findings}
    assert "best value" in found["org.banned-cheapest"].suggestion
    assert "org.tagline" in found and "bias.ableist-casual" not in found
    assert result.verdict == "block"


def test_bad_rule_files_give_one_line_errors(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("rules:\n  - id: x.y\n    family: f\n    title: t\n"
                                       "    severity: block\n    citation: {instrument: i}\n"
                                       "    match: ['(?<=a)b']\n")
    with pytest.raises(InvalidInput, match=r"bad.yaml: rules\[0\] 'x.y'.match: pattern"):
        load_content_rules(extra_paths=[tmp_path], plugins=False)


def test_judge_takes_a_policy() -> None:
    rule = ContentRule(id="t.rule", family="t", title="t", severity="review",
                       citation={"instrument": "i"}, match=("x",))
    findings = Scanner([rule]).scan("x").findings
    assert judge(findings) == "review"
    assert judge(findings, policy=VerdictPolicy(severity_overrides={"t.rule": "block"})) == "block"
    assert judge(findings, policy=VerdictPolicy(review_on=frozenset())) == "pass"


def _varied_items() -> list[tuple[str, str | None, dict | None]]:
    """A few thousand texts mixing every rule family, PII, HTML, non-ASCII text, chat turns,
    empty texts and texts that end or begin where a pattern could run into the next one."""
    import random

    rng = random.Random(5)
    pieces = [
        "Big news! Our rain jacket is 20% off until Sunday.", "Don't miss out: shop now.",
        "Clinically proven to prevent blisters.", "Only $29 a month, 12 monthly payments of $29.",
        "Only $29 a month, 9.9% APR.",
        "Questions? Call 415-555-0132 or mail help@northwind.example.",
        "Hey guys, these deals are crazy!", "Guaranteed returns on our gift card plan.",
        "Card on file: 4111 1111 1111 1111.", "Order #4111111111111112 ships tomorrow.",
        "Tracking 1Z999AA10123456784, SKU 20394857.", "Looking for young and energetic salesmen.",
        '"Best boots I ever owned!" - Jamie, verified buyer', "Created with the help of AI.",
        "#ad Loving my new tent from Northwind!", "I lost 30 pounds in a month with this plan!",
        "Leave a 5-star review and get 10% off your next order!", "Subject: RE: your account",
        "Unsubscribe: https://northwind.example/u", "Northwind Outfitters, 12 Harbor Street, "
        "Portland, OR 97201", "Advertisement.", "SSN 536-22-1234, IBAN GB82 WEST 1234 5698 7654 32",
        "from 203.0.113.9 or fe80::1ff:fe23:4567:890a", "Dear Mr. Jürgen Klopp,", "Regards,\nAda",
        "Café Ünïcode — écrivez à zoë@example.fr", "☃ naïve 5555 5555 5555 4444", "Dear", "Mr.",
        "User: hi", "Bot: Hi! I'm Northwind's virtual assistant.", "Bot: Hello!\nUser: thanks",
        "address: 12 Main St\nPhone: 555 0100", "Sent to P.O. Box 123", "So comfy. " * 25,
        "<p>Clinically <b>proven</b>!</p><a href='https://x.example/unsubscribe'>Manage</a>",
        "<html><body><div>Dear Ms. Jones</div><!-- 4111 1111 1111 1111 --></body></html>", "",
    ]
    channels = ["email", "sms", "social", "ad", "web", "chat", None, "chatbot"]
    metadata = [None, {}, {"ai_generated": True}, {"ai_generated": True, "presented_as": "review"},
                {"endorsement": True}, {"presented_as": "testimonial", "insider": True},
                {"in_thread": True, "prior_consent": True}, {"ai_generated": True,
                                                             "ai_disclosure": True},
                {"jurisdictions": ["us"]}]
    items = []
    for _ in range(3000):
        parts = rng.sample(pieces, rng.choice([1, 1, 2, 3]))
        text = rng.choice([" ", "\n", "\n\n"]).join(parts)
        if rng.random() < 0.1:
            text = text[:rng.randrange(len(text) + 1)]
        items.append((text, rng.choice(channels), rng.choice(metadata)))
    return items


def test_batch_equals_one_by_one_and_the_re_engine_on_a_varied_corpus(scanner) -> None:  # type: ignore[no-untyped-def]
    items = _varied_items()
    batch = scanner.scan_many(items)
    assert batch == [scanner.scan(t, channel=c, metadata=m) for t, c, m in items]
    assert batch == scanner.scan_many(iter(items))  # any iterable
    assert len({f.rule for r in batch for f in r.findings}) >= 20  # the corpus exercises rules
    assert sum(r.verdict == "pass" for r in batch) > 0
    if scanner.engine == "hyperscan":
        slow = Scanner(load_content_rules(plugins=False), engine="re")
        assert batch == slow.scan_many(items)
    for result in batch:
        assert result.verdict == judge(result.findings)
        for f in result.findings:  # built without the dataclass __init__: same object
            same = Finding(rule=f.rule, family=f.family, severity=f.severity, title=f.title,
                           start=f.start, end=f.end, text=f.text, citation=f.citation,
                           suggestion=f.suggestion, entity_type=f.entity_type)
            assert f == same and hash(f) == hash(same) and repr(f) == repr(same)


def test_verdicts_follow_a_changed_policy() -> None:
    scanner = Scanner(load_content_rules(plugins=False))
    text, meta = "Treat yourself to a new jacket.", {"ai_generated": True}
    assert scanner.scan(text, channel="ad", metadata=meta).verdict == "review"
    scanner.policy = VerdictPolicy(severity_overrides={"disclosure.ai-content": "block"})
    assert scanner.scan(text, channel="ad", metadata=meta).verdict == "block"
    scanner.policy = VerdictPolicy(review_on=frozenset())
    assert scanner.scan(text, channel="ad", metadata=meta).verdict == "pass"
