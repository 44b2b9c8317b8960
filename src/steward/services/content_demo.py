"""Demo content for Northwind Outfitters: scanned items, one e-mail waiting for review."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from steward.services import content
from steward.services.runtime import Unit
from steward.storage.orm import AISystem

FOOTER = ("\n\nAdvertisement. You receive this because you joined Northwind Rewards. "
          "Unsubscribe: https://northwind.example/unsubscribe\n"
          "Northwind Outfitters, 100 Harbor Street, Portland, OR 97201")

DEMO_CONTENT: tuple[dict[str, Any], ...] = (
    {"title": "Spring trail boots e-mail", "channel": "email",
     "metadata": {"ai_generated": True},
     "text": "Spring is here! Our new trail boots are 20% off this week. Created with the help "
             "of AI." + FOOTER, "campaign": "spring-2026"},
    {"title": "Insoles e-mail (needs review)", "channel": "email",
     "metadata": {"ai_generated": True},
     "text": "Meet our new insoles: clinically proven comfort for long days on the trail. "
             "Created with the help of AI." + FOOTER, "campaign": "spring-2026"},
    {"title": "SMS reminder with a card number", "channel": "sms", "metadata": {},
     "text": "Hi Sam, your order with card 4111 1111 1111 1111 ships today.",
     "campaign": "service"},
    {"title": "Chatbot greeting", "channel": "chat", "metadata": {"ai_generated": True},
     "text": "Bot: Hi, I'm Northwind's virtual assistant (a bot). How can I help?\n"
             "User: Where is my order?"},
)


def load_demo_content(unit: Unit, report: Any) -> None:
    """Submit the demo items through the content service (one lands in the review queue)."""
    system_id = unit.session.scalar(select(AISystem.id).order_by(AISystem.id).limit(1))
    items = [content.submit(unit, item["text"], channel=item["channel"],
                            metadata=item["metadata"], campaign=item.get("campaign"),
                            title=item["title"], system_id=system_id)
             for item in DEMO_CONTENT]
    waiting = sum(1 for i in items if i["status"] == "pending_review")
    report.notes.append(f"{len(items)} content items scanned ({waiting} waiting for review)")
