"""Each model parameter's declared range is the range its model accepts."""

from __future__ import annotations

import math

import pytest

from cevns.interactions.models import PARAMETERS
from cevns.interactions.models.nuclear_radius import MINIMUM_RADIUS, SKIN_RANGE
from cevns.nuclear.form_factors import (
    KLEIN_NYSTRAND_RANGE,
    LEWIN_SMITH_SKIN,
    HelmFormFactor,
    KleinNystrandFormFactor,
)
from cevns.stats.likelihood import LikelihoodRecipe
from cevns.stats.scan import ScanAxis, run_scan
from cevns.units import fm


def test_the_smallest_declared_radius_is_accepted_by_every_shape():
    """Helm needs rms > √3 s, Klein–Nystrand rms > √6 a (⟨r²⟩ = 3/5 R_A² + 6a²)."""
    assert MINIMUM_RADIUS * fm > math.sqrt(3) * LEWIN_SMITH_SKIN
    assert MINIMUM_RADIUS * fm > math.sqrt(6) * KLEIN_NYSTRAND_RANGE
    for shape in (HelmFormFactor, KleinNystrandFormFactor):
        assert shape.from_rms_radius(MINIMUM_RADIUS * fm).rms_radius == pytest.approx(
            MINIMUM_RADIUS * fm
        )
    radii = [p for name, p in PARAMETERS.items() if name.startswith("neutron_radius_")]
    assert radii and all(p.limits[0] == MINIMUM_RADIUS for p in radii)
    assert all(p.limits[0] <= p.default <= p.limits[1] for p in radii)
    assert PARAMETERS["neutron_skin"].limits == SKIN_RANGE


def test_a_skin_scan_over_its_whole_range_on_argon_finishes(shared_data_dir, tmp_path):
    """The audit's scan over the documented skin range on argon aborted; every point now
    has a result."""
    recipe = LikelihoodRecipe.create(
        ["coherent-lar-2020"], shared_data_dir, {"neutron_skin": 0.0}, hold_signal_scales=True
    )
    axis = ScanAxis("neutron_skin", *SKIN_RANGE, 5)
    table = run_scan(recipe, [axis], output_path=tmp_path / "skin.jsonl", workers=1)
    assert table.converged.all()


def test_a_skin_too_negative_for_a_light_nucleus_is_named(tmp_path):
    """Helium's R_p ≈ 2.2 fm: a −1 fm skin leaves R_n below the form factor's minimum, and
    the refusal names the nucleus (a scan records such a point with the reason)."""
    from cevns.errors import CevnsInputError
    from cevns.experiments.build import build_experiment
    from cevns.experiments.engine import PredictionEngine
    from cevns.experiments.load import parse_experiment
    from cevns.interactions.models import NewPhysicsCharges

    document = parse_experiment({
        "name": "helium", "form_factor": "klein-nystrand",
        "source": {"kind": "pion-decay-at-rest"}, "exposure": {"protons_on_target": 1e23},
        "detector": {"material": "He", "mass": "1 kg", "distance": "20 m"},
        "response": {}, "binning": {"observable": "recoil-energy", "observable_edges": [1, 100],
                                    "observable_unit": "keV"},
    })  # fmt: skip
    engine = PredictionEngine(build_experiment(document))
    with pytest.raises(CevnsInputError, match="neutron radius of He"):
        engine.histogram(NewPhysicsCharges({"neutron_skin": -1.0}))
