"""Loaders for the public data releases, found by setting or cache, checksummed.

Three releases are known, each a folder inside the data directory:

* ``coherent-csi-2021`` — the CsI[Na] full dataset (arXiv:2110.07730):
  :func:`load_csi_2021`;
* ``coherent-lar-2020`` — CENNS-10 liquid argon, Analysis A (arXiv:2003.10630,
  companion arXiv:2006.12659, Zenodo 10.5281/zenodo.3903810): :func:`load_lar_2020`;
* ``xenonnt-cevns-2026`` — XENONnT solar ⁸B CEvNS (PRL 133, 191002; arXiv:2604.06002;
  Zenodo 10.5281/zenodo.20576156), read by the ``xenonnt-b8-*`` analysis documents through
  :mod:`cevns.data.hdf5_histograms` and :mod:`cevns.data.tables`.

The data directory is the ``directory`` argument if given, else ``CEVNS_DATA_DIR``, else
the user cache, where :func:`download_release` puts the releases (see
:mod:`cevns.data.locate`). Every file is checked against its published SHA-256 before it
is read (:func:`verify_release`, :func:`verify_folder`); pass ``verify=False`` to skip the check.

>>> from cevns.data import RELEASES
>>> RELEASES
('coherent-csi-2021', 'coherent-lar-2020', 'xenonnt-cevns-2026')
"""

from __future__ import annotations

from .checksums import (
    ReleaseChecksumError,
    ReleaseFile,
    ReleaseRecord,
    release_record,
    sha256_of,
    verify_folder,
    verify_release,
)
from .csi2021 import CsI2021Release, binned_counts, load_csi_2021
from .download import DATA_URL_VARIABLE, ReleaseDownloadError, download_release
from .lar2020 import Histogram3D, LAr2020Release, load_lar_2020
from .locate import DATA_DIR_VARIABLE, RELEASES, cache_directory, data_directory, release_path

__all__ = [
    "DATA_DIR_VARIABLE",
    "DATA_URL_VARIABLE",
    "RELEASES",
    "CsI2021Release",
    "Histogram3D",
    "LAr2020Release",
    "ReleaseChecksumError",
    "ReleaseDownloadError",
    "ReleaseFile",
    "ReleaseRecord",
    "binned_counts",
    "cache_directory",
    "data_directory",
    "download_release",
    "load_csi_2021",
    "load_lar_2020",
    "release_path",
    "release_record",
    "sha256_of",
    "verify_folder",
    "verify_release",
]
