"""The demo organisation's AI systems: ten realistic marketing uses across tiers and stages.

Each is registered and then classified from questionnaire answers through the same services a
person uses, so the tiers shown in the demo are the rules' own verdicts.
"""

from __future__ import annotations

from typing import Any

from steward.services import systems
from steward.services.runtime import Unit

EU_CA = ["EU", "US-CA"]

DEMO_SYSTEMS: list[tuple[dict[str, Any], dict[str, Any]]] = [
    (
        {"name": "GenAI email copy", "purpose": "Draft subject lines and body copy for "
         "promotional emails, reviewed by the CRM team before sending", "owner": "maya",
         "business_unit": "CRM", "stage": "production", "ai_kinds": ["generative_text"],
         "channels": ["email"], "customer_facing": True, "jurisdictions": EU_CA,
         "vendor": "Jasper", "product": "Jasper Campaigns", "model_name": "vendor LLM",
         "hosting": "vendor_saas", "vendor_trains_on_our_data": False, "training_opt_out": True,
         "output_ip_indemnity": True, "data_categories": ["user.name"],
         "data_uses": ["marketing.communications.email"], "consent_purposes": ["email_marketing"],
         "human_oversight": True},
        {"role": "deployer", "ai_kind": ["generative_text"], "uses": ["content_generation"],
         "personal_data": True, "large_scale": True},
    ),
    (
        {"name": "Customer-service chatbot", "purpose": "Answer order, delivery and returns "
         "questions on the website and app, with hand-off to a person", "owner": "carlos",
         "business_unit": "Customer care", "stage": "production", "ai_kinds": ["chatbot"],
         "channels": ["chat", "web", "app"], "customer_facing": True, "jurisdictions": EU_CA,
         "vendor": "Intercom", "product": "Fin", "hosting": "vendor_saas",
         "vendor_trains_on_our_data": False, "training_opt_out": True,
         "data_categories": ["user.contact.email", "user.behavior.purchase_history"],
         "data_uses": ["essential.service.operations.support"], "consent_purposes": [],
         "bot_disclosure": True, "human_handoff": True},
        {"role": "deployer", "ai_kind": ["chatbot"], "uses": ["customer_service"],
         "interacts_with_people": True, "personal_data": True, "large_scale": True},
    ),
    (
        {"name": "Card offer propensity model", "purpose": "Score customers' likelihood to "
         "accept a store credit-card offer and decide who gets the pre-approved offer",
         "owner": "dan", "business_unit": "Financial services", "stage": "pilot",
         "ai_kinds": ["predictive_model"], "channels": ["email", "direct_mail"],
         "customer_facing": False, "jurisdictions": EU_CA, "hosting": "our_cloud",
         "trained_only_on_own_data": True,
         "training_data_sources": [{"name": "Card applications 2022-2025", "owner": "Northwind",
                                    "licence": "own data"}],
         "data_categories": ["user.financial", "user.behavior.purchase_history",
                             "user.demographic.age_range"],
         "data_uses": ["marketing.advertising.profiling", "finance"],
         "consent_purposes": ["personalised_offers"]},
        {"role": "provider", "ai_kind": ["predictive_model"],
         "uses": ["credit_offers_creditworthiness", "audience_targeting"], "profiling": True,
         "solely_automated_decision_with_significant_effect": True, "personal_data": True,
         "large_scale": True},
    ),
    (
        {"name": "Lookalike audience builder", "purpose": "Upload hashed customer lists to ad "
         "platforms to build lookalike audiences for acquisition campaigns", "owner": "maya",
         "business_unit": "Performance marketing", "stage": "production",
         "ai_kinds": ["segmentation"], "channels": ["ads", "social"], "customer_facing": False,
         "jurisdictions": EU_CA, "vendor": "Meta", "product": "Lookalike Audiences",
         "hosting": "vendor_api", "vendor_trains_on_our_data": True, "training_opt_out": False,
         "data_categories": ["user.contact.email", "user.behavior.purchase_history"],
         "data_uses": ["marketing.advertising.third_party.targeted"],
         "consent_purposes": ["targeted_advertising"]},
        {"role": "deployer", "ai_kind": ["segmentation"], "uses": ["audience_targeting"],
         "profiling": True, "personal_data": True, "large_scale": True,
         "sells_or_shares_personal_data": True, "systematic_monitoring": True},
    ),
    (
        {"name": "Product recommender", "purpose": "Recommend products on the website and in "
         "emails from browsing and purchase history", "owner": "dan",
         "business_unit": "E-commerce", "stage": "production", "ai_kinds": ["recommender"],
         "channels": ["web", "app", "email"], "customer_facing": True, "jurisdictions": EU_CA,
         "hosting": "our_cloud", "trained_only_on_own_data": True,
         "data_categories": ["user.behavior.browsing_history", "user.behavior.purchase_history"],
         "data_uses": ["personalize.content.profiling"],
         "consent_purposes": ["personalised_content"]},
        {"role": "provider", "ai_kind": ["recommender"], "uses": ["audience_targeting"],
         "profiling": True, "personal_data": True, "large_scale": True},
    ),
    (
        {"name": "Job-ad audience targeting", "purpose": "Choose who sees job advertisements "
         "for store staff and distribution-centre roles", "owner": "carlos",
         "business_unit": "Talent acquisition", "stage": "proposed", "ai_kinds": ["segmentation"],
         "channels": ["ads", "social"], "customer_facing": False, "jurisdictions": ["EU", "UK"],
         "vendor": "LinkedIn", "product": "Audience targeting", "hosting": "vendor_api",
         "data_categories": ["user.workplace", "user.demographic.age_range"],
         "data_uses": ["employment.recruitment"], "consent_purposes": [],
         "human_oversight": True},
        {"role": "deployer", "ai_kind": ["segmentation"],
         "uses": ["targeted_job_ads", "audience_targeting"], "profiling": True,
         "personal_data": True},
    ),
    (
        {"name": "AI product imagery", "purpose": "Generate lifestyle images of products for "
         "social posts and ads", "owner": "maya", "business_unit": "Brand",
         "stage": "pilot", "ai_kinds": ["generative_image"], "channels": ["social", "ads", "web"],
         "customer_facing": True, "jurisdictions": EU_CA, "vendor": "Adobe",
         "product": "Firefly", "hosting": "vendor_saas", "vendor_trains_on_our_data": False,
         "output_ip_indemnity": True,
         "training_data_sources": [{"name": "Adobe Stock and public domain",
                                    "owner": "Adobe", "licence": "licensed"}]},
        {"role": "deployer", "ai_kind": ["generative_image"], "uses": ["content_generation"],
         "generates_synthetic_media": True, "depicts_real_people_or_places": False},
    ),
    (
        {"name": "In-store emotion analytics", "purpose": "Read shoppers' facial expressions at "
         "digital signage to adapt the promotion shown", "owner": "carlos",
         "business_unit": "Retail media", "stage": "proposed", "ai_kinds": ["predictive_model"],
         "channels": ["in_store"], "customer_facing": True, "jurisdictions": ["EU"],
         "vendor": "SignageVision", "hosting": "on_premises",
         "data_categories": ["user.biometric"], "data_uses": ["marketing.advertising"]},
        {"role": "deployer", "ai_kind": ["predictive_model"], "uses": ["emotion_recognition"],
         "interacts_with_people": False, "personal_data": True, "sensitive_data": True,
         "systematic_monitoring": True, "large_scale": True},
    ),
    (
        {"name": "Debt-stress upsell nudges", "purpose": "Idea from an agency pitch: target "
         "instalment-plan upsells at customers whose behaviour suggests money worries",
         "owner": "maya", "business_unit": "Performance marketing", "stage": "proposed",
         "ai_kinds": ["predictive_model", "segmentation"], "channels": ["app", "push"],
         "customer_facing": False, "jurisdictions": ["EU"], "vendor": "Agency pitch",
         "data_categories": ["user.financial", "user.behavior"],
         "data_uses": ["marketing.advertising.profiling"]},
        {"role": "deployer", "ai_kind": ["predictive_model", "segmentation"],
         "uses": ["exploits_vulnerabilities", "personalised_pricing"], "profiling": True,
         "personal_data": True},
    ),
    (
        {"name": "B2B lead scoring", "purpose": "Rank inbound business leads for the sales "
         "team to call first", "owner": "dan", "business_unit": "Northwind for Business",
         "stage": "production", "ai_kinds": ["predictive_model"], "channels": ["call_center"],
         "customer_facing": False, "jurisdictions": ["US"], "vendor": "HubSpot",
         "product": "Predictive lead scoring", "hosting": "vendor_saas",
         "data_categories": ["user.contact.email", "user.job_title"], "data_uses": ["sales"]},
        {"role": "deployer", "ai_kind": ["predictive_model"], "uses": ["lead_scoring"],
         "profiling": True, "personal_data": True},
    ),
]


def load_demo_systems(unit: Unit) -> list[dict[str, Any]]:
    """Register and classify the demo systems; returns their classified records."""
    loaded = []
    for spec, answers in DEMO_SYSTEMS:
        record = systems.create_system(unit, spec)
        document = {"name": spec["name"], "jurisdictions": spec["jurisdictions"], **answers}
        loaded.append(systems.classify_system(unit, record["id"], document)["system"])
    return loaded
