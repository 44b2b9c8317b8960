"""C2PA content credentials, fully offline, with a chain the test generates."""

import pytest

pytest.importorskip("c2pa")

from steward.engines.content.credentials import (  # noqa: E402
    TRAINED_ALGORITHMIC_MEDIA,
    generate_chain,
    read_credentials,
    sign_image,
)


@pytest.fixture(scope="module")
def chain():  # type: ignore[no-untyped-def]
    return generate_chain("Test Org")


@pytest.fixture
def signed(chain, tiny_png):  # type: ignore[no-untyped-def]
    data, label = sign_image(tiny_png, chain_pem=chain.chain_pem, key_pem=chain.key_pem,
                             title="banner.png", generator="Steward tests",
                             software_agent="ImageGen 1.0")
    assert label.startswith("urn:")
    return data


def test_signed_ai_image_is_trusted_against_the_test_root(signed, chain) -> None:  # type: ignore[no-untyped-def]
    report = read_credentials(signed, trust_anchors_pem=chain.root_pem)
    assert report.state == "Trusted"
    assert report.digital_source_type == TRAINED_ALGORITHMIC_MEDIA and report.ai_generated
    assert report.software_agent == "ImageGen 1.0" and report.title == "banner.png"


def test_one_changed_byte_makes_it_invalid(signed, chain) -> None:  # type: ignore[no-untyped-def]
    at = signed.index(b"IDAT") + 10
    tampered = signed[:at] + bytes([signed[at] ^ 1]) + signed[at + 1:]
    report = read_credentials(tampered, trust_anchors_pem=chain.root_pem)
    assert report.state == "Invalid"
    assert any("mismatch" in r for r in report.reasons)


def test_other_roots_and_no_credentials(signed, tiny_png) -> None:  # type: ignore[no-untyped-def]
    other = generate_chain("Someone Else")
    assert read_credentials(signed, trust_anchors_pem=other.root_pem).state == "Valid"
    assert read_credentials(tiny_png, trust_anchors_pem=other.root_pem).state == "None"
