# %% [markdown]
# # Fit the COHERENT CsI data
#
# COHERENT released the events of its CsI[Na] full dataset (arXiv:2110.07730): the
# beam-on coincident events in photoelectrons (PE) and arrival time, the anti-coincident
# events that measure the steady-state background, the prompt-neutron shapes and the
# efficiencies. The preset `coherent-csi-2021` describes the collaboration's likelihood on
# them in its `[analysis]` table: the CEvNS signal scaled by a free strength and by the
# flux normalisation (10 % prior), the steady-state background, beam-related and
# neutrino-induced neutrons with their priors, and shape systematics. `cevns.fit` fits it,
# as `cevns fit coherent-csi-2021` does.
#
# The release is read from the folder named by `CEVNS_DATA_DIR`; every file is checked
# against its SHA-256 checksum first.

# %%
import cevns

outcome = cevns.fit(["coherent-csi-2021"])
report = outcome.report
experiment = report["experiments"][0]
published = experiment["published"]

# %% [markdown]
# The signal strength μ multiplies the Standard-Model prediction (σ_measured = μ σ_SM). Its
# interval comes from MINOS (the profile likelihood, Δχ² = 1):

# %%
mu = report["parameters"]["csi_cevns_scale"]
print(f"signal strength μ = {mu['value']:.3f} {mu['minos_low']:+.3f} / {mu['minos_high']:+.3f}")
events = experiment["cevns_events"]
best = published["cevns_best_fit"]
print(
    f"CEvNS events: {events['value']:.0f} ± {events['error']:.0f}   "
    f"(published {best['value']:.0f} ± {best['error_high']:.0f})"
)
print(
    f"χ²/ndof = {report['chi2']:.1f}/{report['ndof']}   "
    f"(published {published['chi2']}/{published['ndof']:.0f})"
)
print(
    f"no-CEvNS hypothesis rejected at {report['significance']:.1f}σ   "
    f"(published {published['significance_no_cevns']}σ)"
)

# %% [markdown]
# The measured flux-averaged cross section is μ times the Standard-Model one:


# %%
def in_1e38(value):
    """A value with asymmetric errors, in units of 1e-38 cm²."""
    low, high = value["error_low"] / 1e-38, value["error_high"] / 1e-38
    return f"({value['value'] / 1e-38:.2f} -{low:.2f} +{high:.2f})e-38 cm²"


sigma = experiment["flux_averaged_cross_section_cm2"]
measured = published["measured_flux_averaged_cross_section_cm2"]
print(f"<σ> = {in_1e38(sigma)}")
print(f"published: {in_1e38(measured)}")
print(f"Standard Model: {sigma['standard_model'] / 1e-38:.2f}e-38 cm²")

# %% [markdown]
# Every fitted parameter, with its uncertainty (HESSE) and, for the signal, MINOS:

# %%
for name, parameter in report["parameters"].items():
    state = "fixed" if parameter["fixed"] else f"± {parameter['error']:.3g}"
    print(f"{name:>32} = {parameter['value']:.4g} {state}")

# %% [markdown]
# ## The fit in each projection
#
# `cevns.plotting.fits.plot_fit` draws the data against the stacked fitted components,
# projected on each axis of the analysis (PE and time), with the residuals below.

# %%
# %matplotlib inline
from matplotlib.figure import Figure

from cevns.plotting.fits import plot_fit

figure = Figure(figsize=(11, 6), layout="constrained")
plot_fit(outcome.analyses, outcome.result, fig=figure)
figure
