# %% [markdown]
# # A dark-matter detector: solar ⁸B neutrinos in XENONnT
#
# Solar ⁸B neutrinos scatter coherently on xenon and leave recoils of a few keV, the same
# signal a light WIMP would leave. XENONnT saw them (arXiv:2408.02877): 37 events in science
# runs 0 and 1 (3.51 t yr), of which 26.4 background, a 2.73σ signal. The collaboration
# released the recoil templates of its response, the background histograms on a grid of
# light- and charge-yield nuisances, and the data, binned in four analysis variables.
#
# In cevns each science run is a document (`xenonnt-b8-sr0`, `xenonnt-b8-sr1`) whose
# response is the released templates, and `xenonnt-b8-2024` is a *combination document*
# naming both for a joint fit: the ⁸B flux scale and the yield nuisances are shared, the
# backgrounds are per run. [Dark-matter detectors](../dark-matter-detectors.md) describes
# the documents; the release is read from `CEVNS_DATA_DIR` (`xenonnt-cevns-2026/`).

# %%
import cevns
from cevns.units import tonne, year

for name in ("xenonnt-b8-sr0", "xenonnt-b8-sr1"):
    spec = cevns.load_experiment(name)
    exposure = spec.exposure.exposure / (tonne * year)
    print(f"{name}: {spec.detector.material}, {exposure:.3f} t yr, source {spec.source.model}")

# %% [markdown]
# ## The joint fit
#
# The ⁸B flux scale multiplies the B16-GS98 standard-solar-model flux; `cevns.fit` fits it
# with every nuisance, as `cevns fit xenonnt-b8-2024` does.

# %%
outcome = cevns.fit(["xenonnt-b8-2024"])
report = outcome.report
published = report["published"]
flux = report["b8_flux_cm2_s"]


def in_1e6(value):
    """A flux with asymmetric errors, in units of 1e6 per cm² per s."""
    low, high = value["error_low"] / 1e6, value["error_high"] / 1e6
    return f"({value['value'] / 1e6:.1f} -{low:.1f} +{high:.1f})e6 /cm²/s"


print(f"⁸B flux: {in_1e6(flux)}")
print(f"published: {in_1e6(published['b8_flux_cm2_s'])}")
print(f"B16-GS98 standard solar model: {flux['nominal'] / 1e6:.2f}e6 /cm²/s")
print(f"significance: {report['significance']:.2f}σ   published {published['significance']}σ")
background = report["background_events"]
print(
    f"background: {background['fitted']:.1f} events fitted "
    f"({background['value']:.1f} ± {background['error']:.1f} expected), "
    f"published {published['background_events']['value']}"
)
for run in report["experiments"]:
    observed, fitted = run["observed_events"], run["cevns_events"]["value"]
    print(f"{run['experiment']}: {observed:.0f} events observed, ⁸B {fitted:.1f} fitted")

# %% [markdown]
# The fitted flux and its 68 % interval beside the collaboration's and the solar model's:

# %%
# %matplotlib inline
from matplotlib.figure import Figure

figure = Figure(figsize=(6, 2.6), layout="constrained")
ax = figure.subplots()
points = [
    ("cevns fit", flux),
    ("XENONnT (arXiv:2408.02877)", published["b8_flux_cm2_s"]),
]
for row, (_, value) in enumerate(points):
    ax.errorbar(
        value["value"] / 1e6,
        row,
        xerr=[[value["error_low"] / 1e6], [value["error_high"] / 1e6]],
        fmt="o",
        capsize=4,
    )
ax.axvline(flux["nominal"] / 1e6, color="grey", linestyle="--", label="B16-GS98")
ax.set_yticks(range(len(points)), [label for label, _ in points])
ax.set_ylim(-0.6, len(points) - 0.4)
ax.set_xlabel("⁸B neutrino flux [10⁶ cm⁻² s⁻¹]")
ax.legend(loc="lower right")
figure
