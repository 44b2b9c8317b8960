"""Inventory pages through a TestClient (the browser test is test_browser_systems.py)."""


def test_register_classify_and_see_obligations(client, web_login) -> None:  # type: ignore[no-untyped-def]
    csrf = web_login("maya", "marketing")
    form = {"csrf_token": csrf, "name": "Support bot", "purpose": "Answer questions",
            "owner": "maya", "ai_kinds": "chatbot", "channels": "chat",
            "jurisdictions": "EU, US-CA", "customer_facing": "yes",
            "data_categories": "user.contact.email"}
    created = client.post("/systems/new", data=form)
    assert created.status_code == 200 and "/classify" in str(created.url)
    sid = str(created.url).split("/systems/")[1].split("/")[0]
    answers = {"csrf_token": csrf, "name": "Support bot", "role": "deployer",
               "ai_kind": "chatbot", "jurisdictions": "EU, US-CA",
               "interacts_with_people": "true", "personal_data": "true"}
    page = client.post(f"/systems/{sid}/classify", data=answers)
    assert page.status_code == 200
    assert 'id="tier">limited<' in page.text
    assert "Cal. Bus. &amp; Prof. Code" in page.text or "17941" in page.text
    listing = client.get("/systems?tier=limited")
    assert "Support bot" in listing.text


def test_bad_form_shows_the_error_and_keeps_values(client, web_login) -> None:  # type: ignore[no-untyped-def]
    csrf = web_login("maya", "marketing")
    response = client.post("/systems/new", data={"csrf_token": csrf, "name": "X",
                                                 "purpose": "p", "owner": "maya",
                                                 "jurisdictions": "Mars"})
    assert response.status_code == 422
    assert "ai_kinds" in response.text and 'value="X"' in response.text


def test_form_without_csrf_is_refused(client, web_login) -> None:  # type: ignore[no-untyped-def]
    web_login("maya", "marketing")
    response = client.post("/systems/new", data={"name": "X"})
    assert response.status_code == 403


def test_auditor_sees_list_but_not_the_form(client, web_login) -> None:  # type: ignore[no-untyped-def]
    web_login("aud", "auditor")
    assert client.get("/systems").status_code == 200
    assert client.get("/systems/new").status_code == 403


def test_auditor_page_views_are_logged(client, web_login, runtime) -> None:  # type: ignore[no-untyped-def]
    from steward.services import audit_log
    from steward.services.runtime import Actor

    web_login("aud", "auditor")
    client.get("/systems")
    client.get("/policy")
    with runtime.unit(Actor.operator("t")) as unit:
        paths = [e["after"]["path"] for e in audit_log.export(unit)
                 if e["action"] == "auditor.page_view"]
    assert paths[-2:] == ["/systems", "/policy"]


def test_review_queue_lists_gates_and_content(client, web_login) -> None:  # type: ignore[no-untyped-def]
    web_login("chloe", "committee")
    page = client.get("/reviews")
    assert page.status_code == 200
    assert "Gate requests" in page.text and 'id="content-reviews"' in page.text
