"""`make test` runs every app's tests: an app whose folder is missing from
pytest.ini's ``testpaths`` would have its tests silently never run."""

import configparser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_app_with_tests_is_in_testpaths():
    config = configparser.ConfigParser()
    config.read(ROOT / "pytest.ini")
    listed = set(config["pytest"]["testpaths"].split())
    with_tests = {
        folder.parent.name
        for folder in ROOT.glob("*/tests")
        if (folder / "__init__.py").exists() and not folder.parent.name.startswith(".")
    }
    assert with_tests - listed == set()
