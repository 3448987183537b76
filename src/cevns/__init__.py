"""cevns: coherent elastic neutrino-nucleus scattering, from source to constraint.

The package follows the data flow source → interaction → target → detector → prediction
→ statistics → reports; see ``docs/architecture.md``. All dimensional quantities are
plain floats in the internal units of :mod:`cevns.units`.
"""

__version__ = "0.1.0"
