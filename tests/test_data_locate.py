"""Tests of cevns.data.locate: choosing the data directory and finding release folders."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import platformdirs
import pytest

from cevns.data import RELEASES, data_directory, locate, release_path
from cevns.data.locate import DATA_DIR_VARIABLE, cache_directory, read_columns
from cevns.errors import CevnsInputError


@pytest.fixture
def no_data_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DATA_DIR_VARIABLE, raising=False)


def test_explicit_argument_wins_over_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(tmp_path / "from-env"))
    assert data_directory(tmp_path / "explicit") == tmp_path / "explicit"
    assert data_directory(str(tmp_path / "explicit")) == tmp_path / "explicit"


def test_environment_used_without_argument(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(tmp_path))
    assert data_directory() == tmp_path


@pytest.mark.usefixtures("no_data_setting")
def test_cache_is_the_default() -> None:
    expected = Path(platformdirs.user_cache_dir("cevns"))
    assert cache_directory() == expected
    assert data_directory() == expected


def test_empty_environment_variable_means_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DATA_DIR_VARIABLE, "  ")
    assert data_directory() == cache_directory()


def test_home_is_expanded(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert data_directory("~/cevns-data") == tmp_path / "cevns-data"


@pytest.mark.parametrize("bad", ["", "   ", 5, 1.5, b"bytes"])
def test_bad_explicit_directory_is_rejected(bad: object) -> None:
    with pytest.raises(CevnsInputError, match=r"^directory must be a non-empty path"):
        data_directory(bad)  # type: ignore[arg-type]


def test_release_path_finds_the_folder(tmp_path: Path) -> None:
    for release in RELEASES:
        (tmp_path / release).mkdir()
        assert release_path(release, tmp_path) == tmp_path / release


def test_missing_release_gives_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(tmp_path))
    with pytest.raises(CevnsInputError) as caught:
        release_path("coherent-csi-2021")
    message = str(caught.value)
    assert "\n" not in message
    assert str(tmp_path / "coherent-csi-2021") in message
    assert f"{DATA_DIR_VARIABLE}={tmp_path}" in message  # says which setting chose it
    assert "download_release('coherent-csi-2021')" in message


@pytest.mark.usefixtures("no_data_setting")
def test_missing_release_in_cache_names_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(locate, "cache_directory", lambda: tmp_path / "cache")
    with pytest.raises(CevnsInputError, match="the user cache") as caught:
        release_path("coherent-lar-2020")
    assert str(tmp_path / "cache" / "coherent-lar-2020") in str(caught.value)


def test_unknown_release_lists_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(CevnsInputError, match="release must be one of coherent-csi-2021"):
        release_path("coherent-ge-2024", tmp_path)


def test_read_columns_reads_a_table(tmp_path: Path) -> None:
    path = tmp_path / "table.txt"
    path.write_text("# header\n1 2\n\n3 4.5\n")
    assert np.array_equal(read_columns(path, 2), [[1.0, 2.0], [3.0, 4.5]])
    path.write_text("x y\n1 2\n")
    assert np.array_equal(read_columns(path, 2, header_lines=1), [[1.0, 2.0]])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1 2 3\n", r"got shape \(1, 3\)"),
        ("", r"got shape"),
        ("1 two\n", "reading it failed"),
        ("1 nan\n", "finite numbers only"),
    ],
)
def test_read_columns_names_a_bad_file(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_text(text)
    with pytest.raises(CevnsInputError, match=message) as caught:
        read_columns(path, 2)
    assert str(path) in str(caught.value)


def test_read_columns_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CevnsInputError, match="reading it failed"):
        read_columns(tmp_path / "absent.txt", 2)
