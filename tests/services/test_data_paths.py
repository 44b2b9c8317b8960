"""Paths people give: confined to the data directory, never its private folders."""

from __future__ import annotations

from pathlib import Path

import pytest

from steward.errors import InvalidInput
from steward.services.data_paths import confined


@pytest.mark.parametrize("path", ["keys/pseudonym.key", "vault/x/run.parquet",
                                  "consent/state.parquet", "in/../keys/vault.key"])
def test_private_folders_are_refused(tmp_path: Path, path: str) -> None:
    with pytest.raises(InvalidInput, match="keys, vault and consent folders"):
        confined(tmp_path, path)
    with pytest.raises(InvalidInput, match="keys, vault and consent folders"):
        confined(tmp_path, str(tmp_path / path))


@pytest.mark.parametrize("path", ["../x.parquet", "/etc/passwd", "in/../../x"])
def test_outside_is_refused(tmp_path: Path, path: str) -> None:
    with pytest.raises(InvalidInput, match="only files under the data directory"):
        confined(tmp_path, path)


def test_data_files_and_lookalike_names_are_fine(tmp_path: Path) -> None:
    assert confined(tmp_path, "in/a.parquet") == (tmp_path / "in" / "a.parquet").resolve()
    assert confined(tmp_path, "keys.parquet").name == "keys.parquet"
    assert confined(tmp_path, "tables/keys/a.csv").parts[-2] == "keys"
    with pytest.raises(InvalidInput, match="NUL"):
        confined(tmp_path, "a\x00b")
