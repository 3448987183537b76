"""Download a public release into the data directory, verified file by file.

Each file comes from the address listed in ``checksums.toml``: the ancillary files of
arXiv:2110.07730v2 for the CsI release and Zenodo record 10.5281/zenodo.3903810 for the
argon release. Setting ``CEVNS_DATA_URL`` (or passing ``base_url``) replaces all of them
by a mirror laid out like the data directory: file ``PATH`` of release ``RELEASE`` is
fetched from ``BASE/RELEASE/PATH``.

Downloading uses :mod:`pooch`, which streams each file to a temporary name, checks its
SHA-256 against the table and only then moves it into place; files already present with
the right digest are not fetched again, damaged ones are replaced.
"""

from __future__ import annotations

import os
from pathlib import Path

from cevns.errors import CevnsInputError

from .checksums import ReleaseChecksumError, release_record, require_verified
from .locate import data_directory

#: The environment variable naming a mirror of the releases (see the module docstring).
DATA_URL_VARIABLE = "CEVNS_DATA_URL"

# Seconds to wait for the server to answer before giving up on a file.
_TIMEOUT = 60.0


class ReleaseDownloadError(CevnsInputError):
    """A release file could not be fetched from its address; the message names both."""


def _mirror_base(base_url: str | None) -> str | None:
    chosen = base_url if base_url is not None else os.environ.get(DATA_URL_VARIABLE, "")
    chosen = chosen.strip()
    if not chosen:
        if base_url is not None:
            raise CevnsInputError(f"base_url must be a non-empty URL; got {base_url!r}")
        return None
    if not chosen.startswith(("http://", "https://")):
        name = "base_url" if base_url is not None else DATA_URL_VARIABLE
        raise CevnsInputError(f"{name} must be an http:// or https:// URL; got {chosen!r}")
    return chosen.rstrip("/") + "/"


def _http_download(url: str, output_file: str, _fetcher: object) -> None:
    """Stream ``url`` into ``output_file`` (the downloader that pooch calls).

    Unlike ``pooch.HTTPDownloader`` this closes the connection when the server answers
    with an error status, so no socket is left open.
    """
    import requests

    with requests.get(url, timeout=_TIMEOUT, stream=True) as response:
        response.raise_for_status()
        with open(output_file, "wb") as stream:
            for chunk in response.iter_content(chunk_size=1 << 16):
                stream.write(chunk)


def download_release(
    release: str,
    directory: str | os.PathLike[str] | None = None,
    base_url: str | None = None,
) -> Path:
    """Fetch every required file of ``release`` and return the release folder.

    The files go to ``data_directory(directory) / release`` — by default the user cache,
    or ``CEVNS_DATA_DIR`` when that is set. ``base_url`` (or ``CEVNS_DATA_URL``) names a
    mirror; without one each file comes from its published address. A file whose digest
    differs from the table raises :class:`~cevns.data.ReleaseChecksumError`, an
    unreachable one :class:`ReleaseDownloadError`; both name the file and the address.
    """
    import pooch
    import requests

    record = release_record(release)
    target = data_directory(directory) / release
    if record.archive:
        raise CevnsInputError(
            f"{release} is published as one archive ({record.record}); download it there and "
            f"unpack it as the folder {target} (or point CEVNS_DATA_DIR at the folder holding "
            f"{release}/)"
        )
    mirror = _mirror_base(base_url)
    wanted = [entry for entry in record.files if entry.required]
    registry = {entry.path: f"sha256:{entry.sha256}" for entry in wanted}
    if mirror is None:
        urls = {entry.path: entry.url for entry in wanted}
        fetcher = pooch.create(path=target, base_url=record.record, registry=registry, urls=urls)
    else:
        fetcher = pooch.create(path=target, base_url=f"{mirror}{release}/", registry=registry)
    for entry in wanted:
        url = fetcher.get_url(entry.path)
        try:
            fetcher.fetch(entry.path, downloader=_http_download)
        except requests.exceptions.RequestException as error:
            reason = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise ReleaseDownloadError(
                f"could not download {release}/{entry.path} from {url}: {reason}"
            ) from None
        except ValueError as error:
            if "hash" not in str(error).lower():
                raise
            raise ReleaseChecksumError(
                f"download of {release}/{entry.path} from {url} does not match the published "
                f"SHA-256 {entry.sha256}; the file was not saved"
            ) from None
    require_verified(release, target)
    return target


__all__ = ["DATA_URL_VARIABLE", "ReleaseDownloadError", "download_release"]
