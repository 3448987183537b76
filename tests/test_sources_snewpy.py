"""snewpy models as cevns bursts (:mod:`cevns.sources.snewpy_models`).

Independent check: cevns's own Garching s27.0c table, written in the Garching archive's
file format and read back through snewpy's ``GarchingArchiveModel`` (which builds pinched
spectra that cevns then integrates numerically), gives the same numbers of neutrinos and
mean energies as cevns's direct use of the table (tolerance 1e-5: the energy quadrature),
and the same events in a document. snewpy is a test dependency (``pip install .[test]``).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from cevns.errors import CevnsInputError
from cevns.experiments.load import load_experiment
from cevns.experiments.prediction import predict
from cevns.sources.snewpy_models import load_snewpy_model, snewpy_histories
from cevns.sources.supernova import SupernovaModel
from cevns.units import MeV

snewpy = pytest.importorskip("snewpy")


def write_garching_files(folder: Path) -> Path:
    """cevns's s27.0c table as the archive's three ASCII files; returns the file stem."""
    for key in ("nue", "nuebar", "nux"):
        text = (
            resources.files("cevns.sources")
            .joinpath(f"data/supernova/garching_s27.0c_LS220_{key}.csv")
            .read_text("utf-8")
        )
        rows = [r.replace(",", " ") for r in text.splitlines() if r and not r.startswith("#")]
        (folder / f"s27_LS220_{key}").write_text("\n".join(rows) + "\n")
    return folder / "s27"


def test_snewpy_model_matches_the_same_table_used_directly(tmp_path: Path) -> None:
    stem = write_garching_files(tmp_path)
    model = load_snewpy_model("GarchingArchiveModel", stem)
    burst = SupernovaModel.from_histories("snewpy s27", snewpy_histories(model))
    reference = SupernovaModel("garching-s27.0c-LS220")
    assert burst.flavors == reference.flavors
    for flavor in reference.flavors:
        assert burst.neutrinos_per_unit(flavor) == pytest.approx(
            reference.neutrinos_per_unit(flavor), rel=1e-5
        )
        assert burst.mean_energy(flavor) == pytest.approx(reference.mean_energy(flavor), rel=1e-5)
    edges = np.array([-0.05, 0.0, 0.1, 0.5, 2.0]) * 1e3 * 1e-3  # seconds, as internal below
    from cevns.units import s

    np.testing.assert_allclose(
        burst.time_bin_fractions("nu_e", edges * s),
        reference.time_bin_fractions("nu_e", edges * s),
        atol=1e-6,
    )
    assert burst.mean_energy("nu_e") / MeV == pytest.approx(
        reference.mean_energy("nu_e") / MeV, rel=1e-5
    )


def test_a_document_with_a_snewpy_model(tmp_path: Path) -> None:
    write_garching_files(tmp_path)
    base = (
        resources.files("cevns.experiments.presets")
        .joinpath("darwin-supernova-10kpc.toml")
        .read_text("utf-8")
    )
    assert 'model = "garching-s27.0c-LS220"' in base
    text = base.replace(
        'model = "garching-s27.0c-LS220"',
        'snewpy = { loader = "GarchingArchiveModel", file = "s27" }',
    )
    (tmp_path / "sn.toml").write_text(text)
    mine = predict(load_experiment(tmp_path / "sn.toml")).total_events
    reference = predict("darwin-supernova-10kpc").total_events
    assert mine == pytest.approx(reference, rel=1e-5)


def test_bad_snewpy_input(tmp_path: Path) -> None:
    with pytest.raises(CevnsInputError, match="is not a snewpy model loader"):
        load_snewpy_model("NoSuchModel", tmp_path / "x")
    with pytest.raises(CevnsInputError, match="could not read it"):
        load_snewpy_model("GarchingArchiveModel", tmp_path / "missing")
