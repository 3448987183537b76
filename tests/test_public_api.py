"""The curated public API of ``cevns``: its exact names, each resolving, imported lazily."""

import json
import subprocess
import sys

import cevns

PUBLIC = {
    "AtmosphericNeutrinos",
    "CevnsInputError",
    "DiffuseSupernovaBackground",
    "Flux",
    "LikelihoodRecipe",
    "MonochromaticSource",
    "PionDecayAtRest",
    "Reactor",
    "ScanAxis",
    "SolarNeutrinos",
    "SupernovaBurst",
    "TabulatedSource",
    "__version__",
    "build_analysis",
    "build_experiment",
    "differential_cross_section",
    "fit",
    "get_facility",
    "get_isotope",
    "limit",
    "load_experiment",
    "predict",
    "scan",
    "total_cross_section",
    "units",
}


def test_the_public_names_are_exactly_these():
    assert set(cevns.__all__) == PUBLIC
    assert len(cevns.__all__) == len(PUBLIC)
    assert set(dir(cevns)) >= PUBLIC
    assert {*cevns._API, "__version__"} == PUBLIC


def test_each_public_name_resolves_to_its_implementation():
    from cevns.errors import CevnsInputError
    from cevns.experiments.prediction import predict
    from cevns.stats.fitting import fit_experiments
    from cevns.stats.limits import run_limit
    from cevns.stats.scan import run_scan

    for name in PUBLIC:
        assert getattr(cevns, name) is not None, name
    assert cevns.predict is predict
    assert cevns.fit is fit_experiments
    assert cevns.scan is run_scan
    assert cevns.limit is run_limit
    assert cevns.CevnsInputError is CevnsInputError
    assert cevns.units.MeV > 0
    assert isinstance(cevns.__version__, str)


def test_an_unknown_name_is_an_attribute_error():
    try:
        cevns.no_such_name  # noqa: B018
    except AttributeError as error:
        assert "no_such_name" in str(error)
    else:
        raise AssertionError("cevns.no_such_name resolved")


def test_import_cevns_loads_no_heavy_module():
    code = (
        "import json, sys; import cevns; "
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('cevns', 'matplotlib', 'scipy', 'iminuit', 'numpy'))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert json.loads(result.stdout) == ["cevns"]


def test_help_lists_the_public_api():
    code = "import pydoc, cevns; print(pydoc.render_doc(cevns, renderer=pydoc.plaintext))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    text = result.stdout
    for name in PUBLIC - {"__version__"}:
        assert name in text, name
    for name in ("predict(", "fit_experiments(", "run_scan(", "class PionDecayAtRest"):
        assert name in text, name


def test_the_package_is_typed():
    from importlib.resources import files

    assert files("cevns").joinpath("py.typed").is_file()


def test_every_folder_of_modules_is_a_regular_package():
    """A folder of modules without ``__init__.py`` is a namespace package: pytest's doctest
    collection would import its modules under a second, top-level name (``load``,
    ``build``, ``schema``) with src/cevns/<folder> at the front of sys.path."""
    from pathlib import Path

    root = Path(cevns.__file__).parent
    folders = {path.parent for path in root.rglob("*.py")}
    assert [str(f.relative_to(root)) for f in folders if not (f / "__init__.py").exists()] == []
