"""Experiments as documents: the TOML schema, loading, building and the prediction engine.

See ``docs/experiments.md``; the modules are listed in ``docs/architecture.md``. A regular
package (not a namespace one), so that every module has one name, ``cevns.experiments.*``.
"""
