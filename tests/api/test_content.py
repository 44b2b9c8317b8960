"""The content API: scan before sending, batch, submit, review, receipts, credentials."""

FOOTER = ("\nAdvertisement. Unsubscribe: https://northwind.example/u\n"
          "Northwind Outfitters, 100 Harbor Street, Portland, OR 97201")
FLAGGED = "Our insoles are clinically proven to ease long hikes." + FOOTER


def test_scan_before_sending(client, make_person) -> None:  # type: ignore[no-untyped-def]
    cms = make_person("cms", "it")
    response = client.post("/api/v1/content/scan", headers=cms.headers, json={
        "text": "Bot: Hello!\nUser: hi", "channel": "chat"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["verdict"] == "block"
    finding = body["findings"][0]
    assert finding["rule"] == "disclosure.chatbot-first-turn"
    assert finding["citation"]["article"] == "§ 17941"
    response = client.post("/api/v1/content/scan", headers=cms.headers, json={
        "text": "x", "channel": "fax"})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")


def test_batch_keeps_input_order(client, make_person) -> None:  # type: ignore[no-untyped-def]
    cms = make_person("cms", "it")
    response = client.post("/api/v1/content/scan/batch", headers=cms.headers, json={"items": [
        {"id": "a", "text": "Hello there, nice boots."},
        {"id": "b", "text": "Card 4111 1111 1111 1111", "channel": "sms"},
    ]})
    assert [(r["id"], r["verdict"]) for r in response.json()] == [("a", "pass"), ("b", "block")]


def test_submit_review_and_receipt(client, make_person) -> None:  # type: ignore[no-untyped-def]
    maya, leo = make_person("maya", "marketing"), make_person("leo", "legal")
    auditor = make_person("audrey", "auditor")
    item = client.post("/api/v1/content/items", headers=maya.headers,
                       json={"text": FLAGGED, "channel": "email"}).json()
    assert item["status"] == "pending_review"
    receipt_url = f"/api/v1/content/receipts/{item['sha256']}"
    assert client.get(receipt_url, headers=maya.headers).status_code == 404
    queue = client.get("/api/v1/content/items?status=pending_review", headers=auditor.headers)
    assert [i["id"] for i in queue.json()] == [item["id"]]
    own = client.post(f"/api/v1/content/items/{item['id']}/decision", headers=maya.headers,
                      json={"decision": "approve"})
    assert own.status_code == 403
    decided = client.post(f"/api/v1/content/items/{item['id']}/decision", headers=leo.headers,
                          json={"decision": "approve", "comment": "ok"})
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    receipt = client.get(receipt_url, headers=auditor.headers).json()
    assert receipt["reviewer"] == "leo" and receipt["content_sha256"] == item["sha256"]


def test_credentials_sign_and_verify(client, make_person, runtime) -> None:  # type: ignore[no-untyped-def]
    import struct
    import zlib

    from steward.services import content_credentials
    from steward.services.runtime import Actor

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + bytes(range(y, y + 12)) for y in range(4))
    image = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0))
             + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
    with runtime.unit(Actor.operator("ops")) as unit:
        content_credentials.init_keys(unit, organisation="Northwind")
    maya = make_person("maya", "marketing")
    signed = client.post("/api/v1/content/credentials/sign?file_name=hero.png&campaign=spring",
                         headers={**maya.headers, "Content-Type": "image/png"}, content=image)
    assert signed.status_code == 200, signed.text
    verified = client.post("/api/v1/content/credentials/verify",
                           headers={**maya.headers, "Content-Type": "image/png"},
                           content=signed.content).json()
    assert verified["state"] == "Trusted" and verified["registered_asset"]["campaign"] == "spring"
    assets = client.get("/api/v1/content/assets?campaign=spring", headers=maya.headers).json()
    assert len(assets) == 1
