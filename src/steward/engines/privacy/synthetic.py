"""A realistic synthetic customer table, for tests, the demo and the benchmark.

Names, e-mail addresses, US phone numbers (valid area codes and exchanges), street addresses,
cities with their states and ZIP codes, birth dates, gender, spend, income, a segment, and CRM
notes: about half of them mention the customer's name, e-mail or phone, sometimes another
customer's. Deterministic for a seed; every person is invented.
"""

from __future__ import annotations

from typing import Any

FIRST_NAMES = (
    "Ada", "Alan", "Grace", "Linus", "Margaret", "Dennis", "Barbara", "Edsger", "Frances",
    "Donald", "Radia", "Tim", "Katherine", "Claude", "Hedy", "John", "Sophie", "Guido", "Annie",
    "Ken", "Jean", "Niklaus", "Karen", "Bjarne", "Lynn", "James", "Mary", "Robert", "Patricia",
    "Michael", "Jennifer", "David", "Elizabeth", "William", "Susan", "Richard", "Jessica",
    "Thomas", "Sarah", "Charles", "Nancy", "Daniel", "Lisa", "Matthew", "Betty", "Anthony",
    "Sandra", "Steven", "Ashley", "Paul", "Emily", "Andrew", "Donna", "Joshua", "Michelle",
    "Kenneth", "Carol", "Kevin", "Amanda", "Brian", "Melissa", "George", "Deborah", "Priya",
    "Wei", "Aisha", "Mateo", "Yuki", "Olga", "Kwame", "Ingrid", "Rahul", "Fatima", "Diego",
)
LAST_NAMES = (
    "Lovelace", "Turing", "Hopper", "Torvalds", "Hamilton", "Ritchie", "Liskov", "Dijkstra",
    "Allen", "Knuth", "Perlman", "Berners", "Johnson", "Shannon", "Lamarr", "McCarthy", "Wilson",
    "Rossum", "Easley", "Thompson", "Sammet", "Wirth", "Jones", "Stroustrup", "Conway", "Smith",
    "Garcia", "Martinez", "Robinson", "Clark", "Rodriguez", "Lewis", "Walker", "Hall", "Young",
    "Hernandez", "King", "Wright", "Lopez", "Scott", "Green", "Adams", "Baker", "Gonzalez",
    "Nelson", "Carter", "Mitchell", "Perez", "Roberts", "Turner", "Phillips", "Campbell",
    "Parker", "Evans", "Edwards", "Collins", "Stewart", "Sanchez", "Morris", "Rogers", "Reed",
    "Cook", "Morgan", "Bell", "Murphy", "Bailey", "Rivera", "Cooper", "Richardson", "Cox",
    "Howard", "Ward", "Torres", "Peterson", "Gray", "Ramirez", "Watson", "Brooks", "Kelly",
    "Sanders", "Price", "Bennett", "Wood", "Barnes", "Ross", "Henderson", "Coleman", "Jenkins",
    "Perry", "Powell", "Long", "Patterson", "Hughes", "Flores", "Washington", "Butler",
    "Simmons", "Foster", "Gonzales", "Bryant", "Alexander", "Russell", "Griffin", "Diaz", "Hayes",
    "Nakamura", "Okafor", "Ivanova", "Mensah", "Sharma", "Chen", "Haddad", "Kowalski", "Novak",
)
PLACES = (  # city, state, ZIP prefix, area code
    ("Boston", "MA", "021", "617"), ("New York", "NY", "100", "212"),
    ("Philadelphia", "PA", "191", "215"), ("Chicago", "IL", "606", "312"),
    ("Detroit", "MI", "482", "313"), ("Minneapolis", "MN", "554", "612"),
    ("Atlanta", "GA", "303", "404"), ("Miami", "FL", "331", "305"),
    ("Houston", "TX", "770", "713"), ("Dallas", "TX", "752", "214"),
    ("Denver", "CO", "802", "303"), ("Phoenix", "AZ", "850", "602"),
    ("Seattle", "WA", "981", "206"), ("Portland", "OR", "972", "503"),
    ("San Francisco", "CA", "941", "415"), ("Los Angeles", "CA", "900", "213"),
)
STREETS = ("Maple Street", "Oak Avenue", "Pine Road", "Cedar Lane", "Elm Drive", "Birch Way",
           "Willow Court", "Lakeview Boulevard", "Hillside Terrace", "Park Place")
DOMAINS = ("example.com", "example.org", "mail.example.net", "inbox.example.com")
SEGMENTS = ("value", "core", "premium", "dormant")
NOTE_TEMPLATES = (
    "",
    "",
    "No issues reported.",
    "Prefers paper statements; renewal due in spring.",
    "Customer {first} {last} called about a late delivery; resolved.",
    "Please reach {first} on {phone} after 5pm.",
    "Asked to update e-mail to {email}; confirmed by phone.",
    "Complaint from {first} {last} ({email}) about card fees, refund issued.",
    "Spoke with Mr. {last} re: upgrade. Call back at {phone}.",
    "Referred by {other_first} {other_last}; wants the premium card.",
    "Dear {first}, thanks for your patience — follow-up sent to {email}.",
    "{first} {last} moved to {street_no} {street}; update mailing address.",
    "Order 123456 shipped, tracking 1Z999AA10123456784.",
)


def synthetic_customers(rows: int, *, seed: int = 7) -> Any:
    """A pyarrow Table of ``rows`` invented customers (deterministic for ``seed``)."""
    import numpy as np
    import pyarrow as pa

    rng = np.random.default_rng(seed)
    first = rng.integers(0, len(FIRST_NAMES), rows)
    last = rng.integers(0, len(LAST_NAMES), rows)
    place = rng.integers(0, len(PLACES), rows)
    other = rng.integers(0, rows, rows) if rows else np.zeros(0, dtype=int)
    exchange = rng.integers(200, 999, rows)
    line = rng.integers(0, 10_000, rows)
    street_no = rng.integers(1, 9_999, rows)
    street = rng.integers(0, len(STREETS), rows)
    domain = rng.integers(0, len(DOMAINS), rows)
    zip_tail = rng.integers(0, 100, rows)
    birth_days = rng.integers(0, 365 * 62, rows)
    gender = rng.choice(np.array(["F", "M", "X"]), size=rows, p=[0.49, 0.48, 0.03])
    spend = np.round(rng.gamma(2.0, 180.0, rows), 2)
    income = (np.round(rng.lognormal(11.0, 0.5, rows) / 100) * 100).astype(np.int64)
    segment = rng.choice(np.array(SEGMENTS), size=rows)
    template = rng.integers(0, len(NOTE_TEMPLATES), rows)
    import datetime as dt

    base = dt.date(1944, 1, 1)
    firsts = [FIRST_NAMES[i] for i in first]
    lasts = [LAST_NAMES[i] for i in last]
    emails = [f"{f.lower()}.{ln.lower()}{i}@{DOMAINS[d]}"
              for i, (f, ln, d) in enumerate(zip(firsts, lasts, domain, strict=True))]
    phones = [f"({PLACES[p][3]}) {e:03d}-{n:04d}"
              for p, e, n in zip(place, exchange, line, strict=True)]
    notes = []
    for i in range(rows):
        o = int(other[i])
        notes.append(NOTE_TEMPLATES[template[i]].format(
            first=firsts[i], last=lasts[i], email=emails[i], phone=phones[i],
            other_first=firsts[o], other_last=lasts[o], street_no=int(street_no[i]),
            street=STREETS[street[i]]) or None)
    return pa.table({
        "customer_id": [f"C{i + 1:08d}" for i in range(rows)],
        "first_name": firsts,
        "last_name": lasts,
        "email": emails,
        "phone": phones,
        "street_address": [f"{n} {STREETS[s]}" for n, s in zip(street_no, street, strict=True)],
        "city": [PLACES[p][0] for p in place],
        "state": [PLACES[p][1] for p in place],
        "zip": [f"{PLACES[p][2]}{t:02d}" for p, t in zip(place, zip_tail, strict=True)],
        "birth_date": pa.array([base + dt.timedelta(days=int(d)) for d in birth_days],
                               type=pa.date32()),
        "gender": gender,
        "segment": segment,
        "spend": spend,
        "income": income,
        "notes": notes,
    })
