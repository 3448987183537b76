"""Accelerator-produced light dark matter at a proton beam dump (the SNS).

Layers, imports one way: ``mesons`` (π⁰ and η production per proton on mercury, π⁻
capture at rest, decay before absorption) → ``portals`` (vector and leptophobic portals:
meson branching ratios, mediator widths, the variable Y) → ``flux`` (χ energies and
directions from the decay chain, seeded Monte Carlo, acceptance of a detector at a distance
and polar angle) → ``scattering`` (χ–nucleus elastic dσ/dT with the Helm form factor) →
``signal`` (recoil spectra through an experiment's detector response; prompt time
template) → ``analysis`` (the dark matter as a component of the CsI 2021 likelihood;
event-count and coupling limits). See ``docs/accelerator-dark-matter.md``.
"""
