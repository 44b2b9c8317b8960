"""A deterministic corpus of short marketing texts (e-mail, SMS, social, ads, web, chat).

About one in five carries something the content guard should catch (PII, a claim, a missing
disclosure, biased wording); the rest are ordinary copy. Average length is close to the
~135-170 bytes of the marketing texts Presidio was first measured on here.
"""

from __future__ import annotations

import random

PRODUCTS = ["trail boots", "rain jacket", "camping stove", "down sleeping bag", "trekking poles",
            "merino base layer", "2-person tent", "headlamp", "water filter", "daypack"]
OPENERS = ["Big news!", "Just landed:", "Don't miss out:", "Last chance:", "New season, new gear.",
           "Hi there,", "Good news for explorers:", "Members only:", "Weekend deal:", "Heads up!"]
BODIES = [
    "Our {p} is {n}% off until Sunday.", "Save {n}% on every {p} this week.",
    "Get free shipping on your {p} when you spend ${m}.", "The {p} you loved is back in stock.",
    "Try the new {p}, built for long days on the trail.", "Pair a {p} with our {q} and save ${m}.",
    "Earn double points on the {p} today.", "Your {p} is waiting in your basket.",
]
CLOSERS = ["Shop now.", "See the collection.", "Offer ends soon.", "Find your size today.",
           "Visit a store near you.", "Tap to shop."]
EXTRAS = [
    "Clinically proven to prevent blisters.", "Only $29 a month, 12 monthly payments of $29.",
    "Questions? Call 415-555-0132 or mail help@northwind.example.",
    "Hey guys, these deals are crazy!", "Guaranteed returns on our gift card plan.",
    "Card on file: 4111 1111 1111 1111.", "Order #4111111111111112 ships tomorrow.",
    "Tracking 1Z999AA10123456784, SKU 20394857.", "Looking for young and energetic ambassadors.",
    "\"Best boots I ever owned!\" - Jamie, verified buyer",
    "Created with the help of AI.", "#ad Loving my new {p} from Northwind!",
]
FOOTER = ("Unsubscribe: https://northwind.example/u | Northwind Outfitters, 12 Harbor Street, "
          "Portland, OR 97201")


def corpus(n: int = 12_000, seed: int = 7) -> list[tuple[str, str, dict]]:
    """``n`` items of (text, channel, metadata)."""
    rng = random.Random(seed)
    items: list[tuple[str, str, dict]] = []
    channels = ["email", "sms", "social", "ad", "web", "chat"]
    for i in range(n):
        channel = channels[i % len(channels)]
        p, q = rng.sample(PRODUCTS, 2)
        bodies = [rng.choice(BODIES).format(p=p, q=q, n=rng.choice([10, 15, 20, 25, 30]),
                                            m=rng.choice([25, 50, 75, 100]))
                  for _ in range(rng.choice([1, 2, 2]))]
        text = " ".join([rng.choice(OPENERS), *bodies, rng.choice(CLOSERS)])
        if rng.random() < 0.2:
            text += " " + rng.choice(EXTRAS).format(p=p)
        if channel == "email" and rng.random() < 0.7:
            text += "\n" + FOOTER
        if channel == "chat":
            first = rng.choice(["Hi! I'm Northwind's virtual assistant.", "Hello!"])
            text = f"Bot: {first} {text}\nUser: thanks"
        meta = {"ai_generated": rng.random() < 0.5, "endorsement": channel == "social"
                and rng.random() < 0.2}
        items.append((text, channel, meta))
    return items
