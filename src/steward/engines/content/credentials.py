"""Content credentials (C2PA) for images: sign AI-generated assets, read and validate others.

Everything runs offline: no remote manifest fetch, no OCSP, and no timestamp authority unless a
URL is given. Signing marks the asset as ``trainedAlgorithmicMedia`` (IPTC digital source type)
created by the named generating system. Reading returns one of:

- ``Trusted``: the manifest validates and its signer chains to one of our trust anchors;
- ``Valid``: the manifest validates but its signer is not in our trust list;
- ``Invalid``: the manifest is present but does not validate (the asset changed after signing,
  or the signature or certificate is bad) — ``reasons`` says why;
- ``None``: no credentials in the asset.

:func:`generate_chain` makes a root, an intermediate and a signing leaf (ECDSA P-256) for trials
and tests; production organisations bring their own certificate.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

TRAINED_ALGORITHMIC_MEDIA = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
SUPPORTED_TYPES = {"image/jpeg": (b"\xff\xd8\xff",), "image/png": (b"\x89PNG\r\n\x1a\n",),
                   "image/webp": (b"RIFF",)}


class CredentialError(ValueError):
    """The asset, certificate or key cannot be used (one line, safe to show)."""


@dataclass(frozen=True)
class Chain:
    """PEM texts: the root (a trust anchor), the signer chain (leaf + intermediate), the key."""

    root_pem: str
    chain_pem: str
    key_pem: str


@dataclass(frozen=True)
class CredentialReport:
    state: str
    reasons: tuple[str, ...] = ()
    title: str | None = None
    generator: str | None = None
    digital_source_type: str | None = None
    ai_generated: bool = False
    signer: str | None = None
    signed_at: str | None = None
    manifest_label: str | None = None
    software_agent: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False)

    def as_dict(self) -> dict[str, Any]:
        return {"state": self.state, "reasons": list(self.reasons), "title": self.title,
                "generator": self.generator, "digital_source_type": self.digital_source_type,
                "ai_generated": self.ai_generated, "signer": self.signer,
                "signed_at": self.signed_at, "manifest_label": self.manifest_label,
                "software_agent": self.software_agent}


def sniff_mime(data: bytes) -> str:
    for mime, magics in SUPPORTED_TYPES.items():
        if any(data.startswith(m) for m in magics):
            if mime == "image/webp" and data[8:12] != b"WEBP":
                continue
            return mime
    raise CredentialError("not a JPEG, PNG or WebP image")


def _offline_settings(trust_anchors_pem: str | None) -> dict[str, Any]:
    settings: dict[str, Any] = {"verify": {"remote_manifest_fetch": False, "ocsp_fetch": False,
                                           "verify_trust": bool(trust_anchors_pem)}}
    if trust_anchors_pem:
        settings["trust"] = {"user_anchors": trust_anchors_pem}
    return settings


def sign_image(data: bytes, *, chain_pem: str, key_pem: str, title: str, generator: str,
               software_agent: str, assertions: list[dict[str, Any]] | None = None,
               tsa_url: str | None = None) -> tuple[bytes, str]:
    """``data`` with a C2PA manifest marking it AI-generated; returns (signed bytes, label)."""
    import c2pa

    mime = sniff_mime(data)
    manifest = {
        "claim_generator_info": [{"name": generator}],
        "title": title,
        "format": mime,
        "assertions": [
            {"label": "c2pa.actions.v2", "data": {"actions": [{
                "action": "c2pa.created",
                "digitalSourceType": TRAINED_ALGORITHMIC_MEDIA,
                "softwareAgent": {"name": software_agent},
            }]}},
            *(assertions or []),
        ],
    }
    try:
        info = c2pa.C2paSignerInfo(alg=b"es256", sign_cert=chain_pem.encode(),
                                   private_key=key_pem.encode(),
                                   ta_url=tsa_url.encode() if tsa_url else None)
        signer = c2pa.Signer.from_info(info)
        context = c2pa.Context.from_dict(_offline_settings(None))
        builder = c2pa.Builder(json.dumps(manifest), context=context)
        source, dest = io.BytesIO(data), io.BytesIO()
        builder.sign(signer, mime, source, dest)
    except c2pa.C2paError as exc:
        raise CredentialError(f"signing failed: {exc}") from None
    signed = dest.getvalue()
    report = read_credentials(signed, trust_anchors_pem=None)
    return signed, report.manifest_label or ""


def read_credentials(data: bytes, *, trust_anchors_pem: str | None) -> CredentialReport:
    """Validate the asset's credentials offline against ``trust_anchors_pem`` (PEM roots)."""
    import c2pa

    mime = sniff_mime(data)
    try:
        context = c2pa.Context.from_dict(_offline_settings(trust_anchors_pem))
        reader = c2pa.Reader(mime, io.BytesIO(data), context=context)
        store = json.loads(reader.json())
    except c2pa.C2paError as exc:
        text = str(exc)
        if "ManifestNotFound" in type(exc).__name__ or "not found" in text.lower() or \
                "JumbfNotFound" in text:
            return CredentialReport(state="None", reasons=("no content credentials found",))
        return CredentialReport(state="Invalid", reasons=(f"unreadable manifest: {text}",))
    return _report(store, trusted_list=bool(trust_anchors_pem))


def _report(store: dict[str, Any], *, trusted_list: bool) -> CredentialReport:
    label = store.get("active_manifest")
    manifest = (store.get("manifests") or {}).get(label or "", {})
    state = store.get("validation_state") or "Invalid"
    results = store.get("validation_results") or {}
    active = results.get("activeManifest") or {}
    failures = [f"{f.get('code')}: {f.get('explanation', '')}".strip(": ")
                for f in active.get("failure", [])]
    failures += [f"{f.get('code')}: {f.get('explanation', '')}".strip(": ")
                 for f in store.get("validation_status", []) or []
                 if f.get("code") and f.get("code") not in {x.split(":")[0] for x in failures}]
    reasons: list[str] = []
    if state == "Invalid":
        reasons = failures or ["the manifest does not validate"]
    elif state == "Valid":
        reasons = [r for r in failures if "untrusted" in r.lower()] or (
            ["the signer is not in the trust list"] if trusted_list else
            ["no trust anchors configured"])
    else:
        reasons = [f"{s.get('code')}" for s in active.get("success", [])
                   if "trusted" in str(s.get("code", ""))][:1] or ["signed by a trusted signer"]
    source_type, agent = None, None
    for assertion in manifest.get("assertions", []):
        if str(assertion.get("label", "")).startswith("c2pa.actions"):
            for action in assertion.get("data", {}).get("actions", []):
                source_type = source_type or action.get("digitalSourceType")
                sa = action.get("softwareAgent")
                agent = agent or (sa.get("name") if isinstance(sa, dict) else sa)
    signature = manifest.get("signature_info") or {}
    generator = None
    info = manifest.get("claim_generator_info") or []
    if info:
        generator = info[0].get("name")
    return CredentialReport(
        state=state, reasons=tuple(reasons), title=manifest.get("title"), generator=generator,
        digital_source_type=source_type,
        ai_generated=bool(source_type and source_type.endswith(("trainedAlgorithmicMedia",
                                                                 "compositeWithTrainedAlgorithmicMedia"))),
        signer=signature.get("common_name") or signature.get("issuer"),
        signed_at=signature.get("time"), manifest_label=label, software_agent=agent, raw=store)


def generate_chain(organisation: str, *, days: int = 365) -> Chain:
    """A self-signed root, an intermediate and a C2PA signing leaf (ECDSA P-256)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.now(UTC) - timedelta(minutes=5)

    def name(cn: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn),
                          x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation)])

    def build(subject: x509.Name, issuer: x509.Name, public: Any, signing: Any, *, ca: bool,
              path: int | None, valid_days: int) -> x509.Certificate:
        builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
                   .public_key(public).serial_number(x509.random_serial_number())
                   .not_valid_before(now).not_valid_after(now + timedelta(days=valid_days))
                   .add_extension(x509.BasicConstraints(ca=ca, path_length=path), critical=True)
                   .add_extension(x509.SubjectKeyIdentifier.from_public_key(public),
                                  critical=False))
        if ca:
            builder = builder.add_extension(x509.KeyUsage(
                digital_signature=True, key_cert_sign=True, crl_sign=True,
                content_commitment=False, key_encipherment=False, data_encipherment=False,
                key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
        else:
            builder = builder.add_extension(x509.KeyUsage(
                digital_signature=True, key_cert_sign=False, crl_sign=False,
                content_commitment=False, key_encipherment=False, data_encipherment=False,
                key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
            builder = builder.add_extension(x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        if signing is not None and issuer != subject:
            builder = builder.add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(signing.public_key()),
                critical=False)
        return builder.sign(signing, hashes.SHA256())

    root_key = ec.generate_private_key(ec.SECP256R1())
    mid_key = ec.generate_private_key(ec.SECP256R1())
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    root = build(name(f"{organisation} Content Credentials Root"),
                 name(f"{organisation} Content Credentials Root"), root_key.public_key(),
                 root_key, ca=True, path=1, valid_days=days * 5)
    mid = build(name(f"{organisation} Content Credentials CA"), root.subject,
                mid_key.public_key(), root_key, ca=True, path=0, valid_days=days * 2)
    leaf = build(name(f"{organisation} Content Signer"), mid.subject, leaf_key.public_key(),
                 mid_key, ca=False, path=None, valid_days=days)
    pem = serialization.Encoding.PEM
    return Chain(
        root_pem=root.public_bytes(pem).decode(),
        chain_pem=(leaf.public_bytes(pem) + mid.public_bytes(pem)).decode(),
        key_pem=leaf_key.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()).decode())
