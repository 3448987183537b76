# %% [markdown]
# # Predict an experiment
#
# The COHERENT CsI[Na] detector saw CEvNS at the Spallation Neutron Source (SNS): 14.6 kg of
# CsI[Na] 19.3 m from a mercury target where stopped pions and muons emit a prompt ν_μ and
# delayed ν_e and ν̄_μ. Its full dataset (arXiv:2110.07730) is a preset of cevns,
# `coherent-csi-2021`: a TOML document holding the source, the exposure, the detector, its
# response and binning, and the published numbers. This page predicts it, as
# `cevns predict coherent-csi-2021` does.
#
# Every dimensional number in cevns is a plain float in internal units: multiply by a unit
# of `cevns.units` to bring a number in, divide by it to take one out.
#
# This page is a script (`docs/tutorials/01_predict_an_experiment.py`, jupytext percent
# format) that ran when the site was built; the numbers below are its output.

# %%
import cevns
from cevns.units import kg, m

spec = cevns.load_experiment("coherent-csi-2021")
print(spec.title)
detector = spec.detector
print(f"{detector.material}: {detector.mass / kg:.1f} kg at {detector.distance / m:.1f} m")
print("form factor:", spec.form_factor)

# %% [markdown]
# `cevns.predict` builds the flux, the target and the detector response from the document
# and folds them: expected events by flavour, spectra in the observable (photoelectrons) and
# in time, and the flux-averaged cross section. The backgrounds that the document reads from
# the data release (steady state, prompt neutrons) are included when the release is found
# (`CEVNS_DATA_DIR`).

# %%
prediction = cevns.predict(spec)
report = prediction.to_dict()
for flavor, events in report["events_by_flavor"].items():
    print(f"{flavor:>10}: {events:6.1f} events")
print(f"{'CEvNS':>10}: {prediction.total_events:6.1f} events")
for component, events in report["events_by_component"].items():
    if component != "cevns":
        print(f"{component:>14}: {events:6.1f} events (background)")

# %% [markdown]
# The document carries the collaboration's numbers, so the prediction can be compared with
# them directly (the expectation of arXiv:2110.07730 has a 13 % uncertainty, mostly from the
# neutrino flux):

# %%
published = report["published"]
expected = published["cevns_expected"]
sigma = report["flux_averaged_cross_section_cm2"]
print(
    f"CEvNS events: {prediction.total_events:.1f}, "
    f"published {expected['value']:.0f} ± {expected['error_high']:.0f}"
)
print(
    f"<σ> per nucleus: {sigma / 1e-40:.1f}e-40 cm², published "
    f"{published['flux_averaged_cross_section_cm2']['value'] / 1e-40:.0f}e-40 cm²"
)

# %% [markdown]
# ## The spectra
#
# `cevns.plotting.predictions.plot_prediction` draws the recoil spectrum before the
# response, and the observable and time spectra after it, on a figure you give it (here a
# bare `matplotlib.figure.Figure`: no pyplot, no change to matplotlib's global state). The
# prompt ν_μ arrive within the first microsecond; the ν_e and ν̄_μ follow with the muon
# lifetime.

# %%
# %matplotlib inline
from matplotlib.figure import Figure

from cevns.plotting.predictions import plot_prediction

figure = plot_prediction(prediction, fig=Figure(figsize=(11, 3.6), layout="constrained"))
figure

# %% [markdown]
# The same numbers by hand: the observable spectrum per flavour, stacked, from the report.

# %%
import numpy as np

edges = np.asarray(report["observable_edges"])
figure = Figure(figsize=(6, 4), layout="constrained")
ax = figure.subplots()
bottom = np.zeros(len(edges) - 1)
for flavor, counts in report["observable_spectrum"].items():
    ax.bar(edges[:-1], counts, width=np.diff(edges), bottom=bottom, align="edge", label=flavor)
    bottom += np.asarray(counts)
ax.set_xlabel("photoelectrons [PE]")
ax.set_ylabel("CEvNS events per bin")
ax.legend()
figure
