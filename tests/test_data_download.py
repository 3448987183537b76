"""Tests of the checksum table and of cevns.data.download_release.

Downloads run against an HTTP server on 127.0.0.1 started by the test, serving a
temporary copy of ``../shared/data``; nothing here touches the internet.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path, PurePosixPath

import pytest

from cevns.data import (
    RELEASES,
    ReleaseChecksumError,
    ReleaseDownloadError,
    download_release,
    load_csi_2021,
    load_lar_2020,
    release_record,
    sha256_of,
    verify_folder,
    verify_release,
)
from cevns.data import download as download_module
from cevns.data.download import DATA_URL_VARIABLE
from cevns.data.locate import DATA_DIR_VARIABLE
from cevns.errors import CevnsInputError

URL_PREFIXES = {
    "coherent-csi-2021": "https://arxiv.org/src/2110.07730v2/anc/",
    "coherent-lar-2020": "https://zenodo.org/records/3903810/files/",
}
#: Releases published file by file (the others as one archive, not downloaded by cevns).
DOWNLOADABLE = [r for r in RELEASES if not release_record(r).archive]


# --- the checksum table --------------------------------------------------------------


@pytest.mark.parametrize("release", RELEASES)
def test_table_entries_are_well_formed(release: str) -> None:
    record = release_record(release)
    assert record.record.startswith("https://")
    assert "arXiv:" in record.reference
    paths = [entry.path for entry in record.files]
    assert len(paths) == len(set(paths))
    for entry in record.files:
        assert re.fullmatch(r"[0-9a-f]{64}", entry.sha256)
        assert not PurePosixPath(entry.path).is_absolute() and ".." not in entry.path
        if entry.required and not record.archive:
            # Published addresses store every file flat under its base name.
            name = PurePosixPath(entry.path).name
            assert entry.url.startswith(URL_PREFIXES[release] + name)
        else:
            assert entry.url == ""


def test_table_sizes() -> None:
    csi = release_record("coherent-csi-2021").files
    lar = release_record("coherent-lar-2020").files
    assert len(csi) == 8 and all(entry.required for entry in csi)
    assert len(lar) == 22 and [e.path for e in lar if not e.required] == [
        "CENNS10DataReleaseCompanion.pdf"
    ]


@pytest.mark.data
@pytest.mark.parametrize("release", RELEASES)
def test_table_lists_every_file_of_the_release(shared_data_dir: Path, release: str) -> None:
    folder = shared_data_dir / release
    if not folder.is_dir():
        pytest.skip(f"{release} not found in {shared_data_dir}")
    record = release_record(release)
    on_disk = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    grouped = {path for path in on_disk if any(g.contains(path) for g in record.groups)}
    assert on_disk - grouped == {entry.path for entry in record.files}
    assert len(grouped) == sum(g.count for g in record.groups)
    for entry in record.files:
        assert sha256_of(folder / entry.path) == entry.sha256
    assert verify_folder(release, folder) == []


def test_an_archive_release_is_not_downloaded(tmp_path: Path) -> None:
    with pytest.raises(CevnsInputError, match="published as one archive"):
        download_release("xenonnt-cevns-2026", directory=tmp_path)


def test_verify_release_needs_the_folder(tmp_path: Path) -> None:
    with pytest.raises(CevnsInputError, match="data release coherent-lar-2020 not found"):
        verify_release("coherent-lar-2020", tmp_path)


def test_verify_folder_reports_missing_files(tmp_path: Path) -> None:
    problems = verify_folder("coherent-csi-2021", tmp_path)
    assert len(problems) == 8
    assert all(problem.endswith(f"missing from {tmp_path}") for problem in problems)


def test_sha256_of_known_text(tmp_path: Path) -> None:
    path = tmp_path / "abc.txt"
    path.write_bytes(b"abc")
    # FIPS 180-2, appendix B.1: SHA-256("abc").
    assert sha256_of(path) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


# --- a local server --------------------------------------------------------------------


@dataclasses.dataclass
class LocalServer:
    url: str
    root: Path
    requested: list[str]


@pytest.fixture
def server(
    shared_data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[LocalServer]:
    """Serve a temporary copy of the releases from http://127.0.0.1:<port>/."""
    root = tmp_path / "served"
    for release in DOWNLOADABLE:
        if not (shared_data_dir / release).is_dir():
            pytest.skip(f"{release} not found in {shared_data_dir}")
        shutil.copytree(shared_data_dir / release, root / release)
    requested: list[str] = []

    class Handler(SimpleHTTPRequestHandler):
        def do_GET(self) -> None:
            requested.append(self.path)
            super().do_GET()

        def log_message(self, format: str, *args: object) -> None:
            pass

    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(root)))
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield LocalServer(f"http://127.0.0.1:{httpd.server_port}", root, requested)
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


@pytest.mark.data
def test_download_both_releases_from_a_mirror(server: LocalServer, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    for release in DOWNLOADABLE:
        folder = download_release(release, directory=cache, base_url=server.url + "/")
        assert folder == cache / release
        assert verify_folder(release, folder) == []
        assert verify_release(release, cache) == []
    assert not (cache / "coherent-lar-2020" / "CENNS10DataReleaseCompanion.pdf").exists()
    assert len(server.requested) == 8 + 21
    assert "/coherent-lar-2020/SystErrors/brnpdf+1sigEnergy.txt" in server.requested
    assert load_csi_2021(cache).coincident_events.size == 5142
    assert load_lar_2020(cache).data.total == 3752


@pytest.mark.data
def test_settings_choose_mirror_and_directory(
    server: LocalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(DATA_URL_VARIABLE, server.url)
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(tmp_path / "data"))
    folder = download_release("coherent-csi-2021")
    assert folder == tmp_path / "data" / "coherent-csi-2021"
    assert load_csi_2021().anticoincident_events.size == 4890


@pytest.mark.data
def test_present_files_are_kept_and_damaged_ones_replaced(
    server: LocalServer, tmp_path: Path
) -> None:
    folder = download_release("coherent-csi-2021", tmp_path, base_url=server.url)
    first = len(server.requested)
    download_release("coherent-csi-2021", tmp_path, base_url=server.url)
    assert len(server.requested) == first  # nothing fetched again
    (folder / "brnPE.txt").write_text("damaged\n")
    download_release("coherent-csi-2021", tmp_path, base_url=server.url)
    assert server.requested[first:] == ["/coherent-csi-2021/brnPE.txt"]
    assert verify_folder("coherent-csi-2021", folder) == []


@pytest.mark.data
def test_published_addresses_are_used_without_a_mirror(
    server: LocalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Point the per-file addresses of the table at a flat copy on the local server, the
    # way the published records store the files, and download without a mirror.
    monkeypatch.delenv(DATA_URL_VARIABLE, raising=False)
    release = "coherent-lar-2020"
    flat = server.root / "flat"
    flat.mkdir()
    record = release_record(release)
    for entry in record.files:
        shutil.copy(server.root / release / entry.path, flat / PurePosixPath(entry.path).name)
    local = dataclasses.replace(
        record,
        files=tuple(
            dataclasses.replace(
                entry, url=entry.url.replace(URL_PREFIXES[release], server.url + "/flat/")
            )
            for entry in record.files
        ),
    )
    monkeypatch.setattr(download_module, "release_record", lambda name: local)
    folder = download_release(release, tmp_path)
    assert verify_folder(release, folder) == []
    assert "/flat/brnpdf+1sigEnergy.txt?download=1" in server.requested


@pytest.mark.data
def test_tampered_download_is_rejected(server: LocalServer, tmp_path: Path) -> None:
    served = server.root / "coherent-csi-2021" / "ninPE.txt"
    served.write_text(served.read_text().replace("0.5 0\n", "0.5 1\n", 1))
    with pytest.raises(ReleaseChecksumError, match=r"coherent-csi-2021/ninPE\.txt from http"):
        download_release("coherent-csi-2021", tmp_path, base_url=server.url)
    assert not (tmp_path / "coherent-csi-2021" / "ninPE.txt").exists()


@pytest.mark.data
def test_unreachable_file_is_reported(server: LocalServer, tmp_path: Path) -> None:
    (server.root / "coherent-lar-2020" / "OneDProjections" / "f90data1d.txt").unlink()
    with pytest.raises(
        ReleaseDownloadError, match=r"coherent-lar-2020/OneDProjections/f90data1d\.txt from http"
    ) as caught:
        download_release("coherent-lar-2020", tmp_path, base_url=server.url)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("base_url", "message"),
    [("", "base_url must be a non-empty URL"), ("ftp://example.org", "base_url must be an http")],
)
def test_bad_base_url(tmp_path: Path, base_url: str, message: str) -> None:
    with pytest.raises(CevnsInputError, match=message):
        download_release("coherent-csi-2021", tmp_path, base_url=base_url)


def test_bad_mirror_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DATA_URL_VARIABLE, "file:///somewhere")
    with pytest.raises(CevnsInputError, match=f"{DATA_URL_VARIABLE} must be an http"):
        download_release("coherent-lar-2020", tmp_path)


def test_unknown_release(tmp_path: Path) -> None:
    with pytest.raises(CevnsInputError, match="release must be one of"):
        download_release("coherent-nai-2025", tmp_path, base_url="http://127.0.0.1:9/")
