TC = "CO5dPi4O5dPx2B7DvCENA2CgAAAAAAAAAAAAGewAAM8gAAAA.YAAAAAAAAAAA"


def test_decode_endpoint_reports_each_string(client, make_person) -> None:  # type: ignore[no-untyped-def]
    priya = make_person("priya", "privacy")
    response = client.post("/api/v1/consent/decode", headers=priya.headers,
                           json={"strings": [TC, "nope!"]})
    assert response.status_code == 200
    first, second = response.json()
    assert first["fields"]["cmpId"] == 123 and first["error"] is None
    assert second["fields"] is None and "base64url" in second["error"]
    assert client.post("/api/v1/consent/decode", headers=priya.headers,
                       json={"strings": []}).status_code == 422
