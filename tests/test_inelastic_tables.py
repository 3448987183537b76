"""Inelastic cross-section tables: units of the SNOwGLoBES format, thresholds, refusals."""

import math
from importlib import resources

import numpy as np
import pytest
import snowglobes_data

from cevns.errors import CevnsInputError
from cevns.inelastic.channels import get_channel
from cevns.inelastic.tables import read_table
from cevns.units import MeV, cm2

# Nakamura et al., Nucl. Phys. A 707, 561 (2002): nu_e d CC total cross sections (cm^2), as
# posted by the authors (NSAPMGK tables; transcribed in github.com/mschwen/sngen
# dat/xsect/xs_nu_d_cc_NSAP02.dat).
NAKAMURA_CC = {10: 2.708e-42, 20: 1.567e-41, 30: 4.130e-41, 40: 8.141e-41, 50: 1.376e-40}


def test_snowglobes_units_by_hand_at_one_energy():
    # Read the row nearest 30 MeV ourselves: sigma = (sigma/E)[1e-38 cm^2/GeV] x E[GeV].
    text = resources.files(snowglobes_data).joinpath("xscns/xs_nue_d.dat").read_text()
    rows = np.array([line.split() for line in text.splitlines() if line.strip()], dtype=float)
    index = int(np.argmin(abs(10 ** rows[:, 0] - 0.030)))
    energy_gev = 10 ** rows[index, 0]
    by_hand = rows[index, 1] * 1e-38 * energy_gev
    table = read_table("snowglobes:xs_nue_d.dat", "nu_e")
    assert float(table(energy_gev * 1e3 * MeV) / cm2) == pytest.approx(by_hand, rel=1e-12)
    assert by_hand == pytest.approx(NAKAMURA_CC[30], rel=0.01)


@pytest.mark.parametrize("energy", sorted(NAKAMURA_CC))
def test_snowglobes_deuteron_table_is_nakamura_2002(energy):
    table = read_table("snowglobes:xs_nue_d.dat", "nu_e")
    assert float(table(energy * MeV) / cm2) == pytest.approx(NAKAMURA_CC[energy], rel=0.01)


def test_own_csv_table_and_its_threshold():
    nc = get_channel("nc", "H2")
    # Nakamura et al. (2002) NC table: 1.844e-41 cm^2 at 30 MeV for neutrinos.
    assert float(nc.cross_section(30 * MeV, "nu_mu") / cm2) == pytest.approx(1.844e-41)
    assert float(nc.cross_section(30 * MeV, "nu_mu_bar") / cm2) == pytest.approx(1.566e-41)
    # Zero at and below the breakup threshold, the deuteron binding energy 2.2246 MeV.
    below = nc.cross_section(np.array([0.5, 2.0, 2.2246]) * MeV, "nu_e")
    assert np.all(below == 0)


def test_tables_starting_above_zero_are_extended_to_the_threshold():
    argon = get_channel("cc", "Ar40")  # MARLEY table starts at 5 MeV with sigma > 0
    sigma = argon.cross_section(np.array([1.0, 1.504, 3.0, 5.0]) * MeV, "nu_e")
    assert sigma[0] == 0 and sigma[1] == 0
    assert 0 < sigma[2] < sigma[3]
    # Linear from (1.504 MeV, 0) to the first row.
    assert sigma[2] == pytest.approx(sigma[3] * (3.0 - 1.504) / (5.0 - 1.504), rel=1e-9)


def test_fit_artefacts_below_threshold_are_zero():
    # The QRPA NC 40Ar tables dip below zero between 8.0 and 9.0 MeV (fit artefact).
    table = read_table("snowglobes:xs_nc_nue_Ar40.dat", "nu_e")
    assert np.all(table.sigma >= 0)
    assert float(table(8.5 * MeV)) == 0.0


def test_cevns_tables_of_snowglobes_are_refused():
    with pytest.raises(CevnsInputError, match="only up to 10 keV"):
        read_table("snowglobes:xs_coh_helm_nue_Ar.dat", "nu_e")


@pytest.mark.parametrize(
    ("reference", "column", "message"),
    [
        (
            "snowglobes:xs_nue_d.dat",
            "nu_x",
            "column 'nu_x' of snowglobes:xs_nue_d.dat: allowed: nu_e",
        ),
        (
            "cevns:nakamura2002_nu_d_nc.csv",
            "nu_e",
            "column 'nu_e' of cevns:nakamura2002_nu_d_nc.csv: allowed: nu, nubar",
        ),
        (
            "other:file.dat",
            "nu_e",
            "table reference 'other:file.dat': allowed: snowglobes:<file>, cevns:<file>",
        ),
        ("snowglobes:xs_missing.dat", "nu_e", "snowglobes-data has no table 'xs_missing.dat'"),
    ],
)
def test_bad_table_references_are_one_line_errors(reference, column, message):
    with pytest.raises(CevnsInputError) as error:
        read_table(reference, column)
    assert str(error.value).startswith(message)
    assert "\n" not in str(error.value)


def test_energies_beyond_the_table_are_refused():
    table = read_table("snowglobes:xs_nue_d.dat", "nu_e")
    assert table.max_energy == pytest.approx(100 * MeV)
    with pytest.raises(CevnsInputError, match="above the last row"):
        table(120 * MeV)
    assert math.isfinite(float(table(100 * MeV)))
