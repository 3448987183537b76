# %% [markdown]
# # Analyse your own data
#
# A detector enters cevns as a **document**: one TOML file describing the experiment (the
# source, the exposure, the detector, its response and binning) and, in `[analysis]`, the
# likelihood of its data. No Python is needed (`cevns predict FILE`, `cevns fit FILE`); this
# page does the same from Python. The detector is made up for the page: 10 kg of germanium
# 20 m from the SNS target, a 3 keVnr threshold, recoil energies measured directly, and one
# gigawatt-hour of beam on target. [Analyse your own data](../analyse-your-own-data.md)
# describes every field.
#
# The document and its data go to a temporary folder; relative file names in a document
# resolve against the document's folder first.

# %%
import shutil
import tempfile
from pathlib import Path

import cevns

folder = Path(tempfile.mkdtemp(prefix="cevns-tutorial-"))
document = folder / "my-ge.toml"
document.write_text(
    """
schema_version = 1
name = "my-ge"
title = "A made-up 10 kg germanium detector at 20 m from the SNS"
reference = "the cevns tutorial 'Analyse your own data'"
kind = "measurement"

[source]
kind = "pion-decay-at-rest"
facility = "sns-fts"

[exposure]
beam_energy = "1 GWh"

[detector]
material = "Ge"
mass = "10 kg"
distance = "20 m"

[response]
energy_efficiency = { model = "threshold", threshold = 3.0, unit = "keVnr" }

[binning]
observable = "recoil-energy"
observable_unit = "keVnr"
observable_edges = [3, 6, 10, 15, 20, 30, 45, 70]

[[backgrounds]]
name = "flat"
shape = "flat"
counts = 30
uncertainty = 0.2

[analysis.signal]
scale_parameters = ["my_ge_cevns_scale"]

[[analysis.samples]]
name = "beam-on"
data = { file = "counts.csv", columns = ["observable", "weight"], skip_rows = 1 }
""",
    encoding="utf-8",
)
print("document:", document.name)

# %% [markdown]
# The observed counts are a histogram: one row per bin, at the bin centre, with a `weight`
# column holding the count. These are invented for the page, drawn by hand around the
# prediction below plus the flat background.

# %%
observed = {4.5: 13, 8.0: 10, 12.5: 12, 17.5: 9, 25.0: 8, 37.5: 12, 57.5: 11}
rows = "\n".join(f"{centre},{count}" for centre, count in observed.items())
(folder / "counts.csv").write_text(f"observable,weight\n{rows}\n", encoding="utf-8")
print(f"{sum(observed.values())} events observed in {len(observed)} bins")

# %% [markdown]
# ## The prediction
#
# `cevns.predict` takes the document's path as it takes a preset's name. Without a
# quenching model the observable is the nuclear recoil energy itself.

# %%
prediction = cevns.predict(document)
report = prediction.to_dict()
print(f"{prediction.total_events:.1f} CEvNS events expected")
for flavor, events in report["events_by_flavor"].items():
    print(f"{flavor:>10}: {events:5.1f}")

# %% [markdown]
# ## The fit
#
# The likelihood is the Poisson probability of the counts given the signal strength times
# the prediction plus the flat background (30 ± 6 events, a Gaussian prior). `cevns.fit`
# finds the best fit, the MINOS interval of the signal strength, and the significance of
# the signal against the background alone.

# %%
outcome = cevns.fit([document])
fit_report = outcome.report
mu = fit_report["parameters"]["my_ge_cevns_scale"]
background = fit_report["background_events"]
print(f"signal strength μ = {mu['value']:.2f} {mu['minos_low']:+.2f} / {mu['minos_high']:+.2f}")
events = fit_report["cevns_events"]
print(f"CEvNS events: {events['value']:.1f} ± {events['error']:.1f}")
print(
    f"background: {background['fitted']:.1f} fitted "
    f"({background['value']:.0f} ± {background['error']:.0f} before the fit)"
)
print(f"χ²/ndof = {fit_report['chi2']:.1f}/{fit_report['ndof']}")
print(f"no-CEvNS hypothesis rejected at {fit_report['significance']:.1f}σ")

# %%
# %matplotlib inline
from matplotlib.figure import Figure

from cevns.plotting.fits import plot_fit

figure = Figure(figsize=(6, 6), layout="constrained")
plot_fit(outcome.analyses, outcome.result, fig=figure)
figure

# %% [markdown]
# A document that cevns cannot use is refused in one line naming the field; here the
# threshold's unit is not one the observable can take:

# %%
broken = folder / "broken.toml"
broken.write_text(document.read_text().replace('unit = "keVnr"', 'unit = "furlong"'))
try:
    cevns.load_experiment(broken)
except cevns.CevnsInputError as error:
    print("refused:", error)

# %%
shutil.rmtree(folder)
