"""Content pages through a TestClient (the browser test is test_browser_content.py)."""

FOOTER = ("\nAdvertisement. Unsubscribe: https://northwind.example/u\n"
          "Northwind Outfitters, 100 Harbor Street, Portland, OR 97201")
FLAGGED = "Our insoles are clinically proven to ease long hikes." + FOOTER


def test_scan_highlights_findings_in_place(client, web_login) -> None:  # type: ignore[no-untyped-def]
    csrf = web_login("maya", "marketing")
    page = client.post("/content", data={"csrf_token": csrf, "text": FLAGGED,
                                         "channel": "email", "action": "scan"})
    assert page.status_code == 200
    assert 'id="verdict">review<' in page.text
    assert '<mark class="finding sev-review"' in page.text
    assert ">clinically proven<sup>" in page.text
    assert "FTC Health Products Compliance Guidance" in page.text


def test_upload_a_file(client, web_login) -> None:  # type: ignore[no-untyped-def]
    csrf = web_login("maya", "marketing")
    page = client.post("/content", data={"csrf_token": csrf, "channel": "chat",
                                         "action": "scan"},
                       files={"file": ("chat.txt", b"Bot: Hello!\nUser: hi", "text/plain")})
    assert 'id="verdict">block<' in page.text and "17941" in page.text


def test_submit_then_a_reviewer_requests_changes(client, web_login) -> None:  # type: ignore[no-untyped-def]
    csrf = web_login("maya", "marketing")
    submitted = client.post("/content", data={"csrf_token": csrf, "text": FLAGGED,
                                              "channel": "email", "action": "submit"})
    assert "/content/items/" in str(submitted.url)
    item_url = str(submitted.url).split("testserver")[1]
    assert 'id="decision-form"' not in submitted.text  # the submitter cannot decide
    client.post("/logout", data={"csrf_token": csrf})
    csrf = web_login("leo", "legal")
    queue = client.get("/content/reviews")
    assert item_url in queue.text
    item_id = item_url.rsplit("/", 1)[1]
    done = client.post(f"/content/items/{item_id}/decision",
                       data={"csrf_token": csrf, "decision": "request_changes",
                             "comment": "Attach the study"})
    assert 'id="status">changes_requested<' in done.text and "Attach the study" in done.text
    missing_csrf = client.post(f"/content/items/{item_id}/decision",
                               data={"decision": "approve"})
    assert missing_csrf.status_code == 403


def test_auditor_sees_but_cannot_decide(client, web_login) -> None:  # type: ignore[no-untyped-def]
    web_login("audrey", "auditor")
    assert client.get("/content/reviews").status_code == 200
    assert client.get("/content").status_code == 200
