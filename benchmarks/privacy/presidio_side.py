"""Presidio's side of the privacy benchmark (runs in a throwaway environment, never ours):

    uv run --no-project --with presidio-structured --with presidio-analyzer \
        python benchmarks/privacy/presidio_side.py TABLE.parquet OUT.parquet SAMPLE

Discovery: ``PandasAnalysisBuilder`` with Presidio's regex-only analyzer (the ``NoOpNlpEngine``:
no spaCy model, recognizers by pattern and checksum only) on a sample of rows. Anonymization:
``StructuredEngine`` replacing every detected column's cells with a keyed hash (the closest
operator to Steward's pseudonym). Prints one JSON line: seconds per step and the column map.

``--check FILE`` instead runs the same regex-only analyzer over every distinct text value of FILE
and prints what it finds (entity type and text), to check Steward's output for identifiers
Presidio catches.
"""

from __future__ import annotations

import json
import sys
import time


def analyzer():  # type: ignore[no-untyped-def]
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NoOpNlpEngine

    engine = NoOpNlpEngine(models=[{"lang_code": "en", "model_name": "none"}])
    return AnalyzerEngine(nlp_engine=engine, supported_languages=["en"])


def run(table: str, out: str, sample: int) -> None:
    import pandas as pd
    from presidio_anonymizer.entities import OperatorConfig
    from presidio_structured import PandasAnalysisBuilder, PandasDataProcessor, StructuredEngine

    started = time.perf_counter()
    frame = pd.read_parquet(table)
    frame = frame.fillna("").astype(str)  # Presidio's operators work on text
    loaded = time.perf_counter()
    builder = PandasAnalysisBuilder(analyzer=analyzer())
    analysis = builder.generate_analysis(frame, n=sample)
    discovered = time.perf_counter()
    operators = {entity: OperatorConfig("hash", {"hash_type": "sha256"})
                 for entity in set(analysis.entity_mapping.values())}
    engine = StructuredEngine(data_processor=PandasDataProcessor())
    result = engine.anonymize(frame, analysis, operators=operators)
    anonymized = time.perf_counter()
    result.to_parquet(out)
    print(json.dumps({"load_s": loaded - started, "discovery_s": discovered - loaded,
                      "anonymize_s": anonymized - discovered,
                      "total_s": time.perf_counter() - started,
                      "columns": analysis.entity_mapping}))


def check(path: str) -> None:
    import pandas as pd

    frame = pd.read_parquet(path)
    engine = analyzer()
    found = []
    for column in frame.columns:
        if pd.api.types.is_numeric_dtype(frame[column]):
            continue
        for value in frame[column].dropna().astype(str).unique():  # each distinct value once
            for hit in engine.analyze(value, language="en"):
                found.append({"column": column, "entity": hit.entity_type,
                              "text": value[hit.start:hit.end], "score": hit.score})
    print(json.dumps(found))


if __name__ == "__main__":
    if sys.argv[1] == "--check":
        check(sys.argv[2])
    else:
        run(sys.argv[1], sys.argv[2], int(sys.argv[3]))
