"""Dark-matter direct detection next to CEvNS: WIMP rates and the neutrino fog.

* :mod:`~cevns.darkmatter.halo` — the Standard Halo Model (Baxter et al. 2021 parameters) and
  its mean inverse speed η(v_min) in closed form;
* :mod:`~cevns.darkmatter.wimp` — the spin-independent WIMP–nucleus recoil rate on a material
  (Lewin & Smith 1996, Helm form factor);
* :mod:`~cevns.darkmatter.neutrinos` — neutrino backgrounds (solar components, atmospheric,
  DSNB) as CEvNS recoil spectra with their flux uncertainties;
* :mod:`~cevns.darkmatter.discovery` — the discovery limit of a binned experiment (Billard,
  Strigari & Figueroa-Feliciano 2014; Asimov approximation);
* :mod:`~cevns.darkmatter.fog` — discovery limits against exposure, the opacity index and its
  n = 2 boundary (O'Hare 2021);
* :mod:`~cevns.darkmatter.published` — the published values compared with, and the inputs of
  O'Hare's calculation.

See ``docs/darkmatter.md``. Nothing outside ``cevns.darkmatter`` (and the CLI and plotting
layers) imports it.
"""
