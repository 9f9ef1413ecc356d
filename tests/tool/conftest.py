# Paths of the built programs the CLI tests run, handed over by meson
# (tests/tool/meson.build).

import pytest


def pytest_addoption(parser):
    parser.addoption("--cli", required=True, help="the built scope-profiler command")
    parser.addoption("--simulation", required=True, help="the built examples/c/simulation")
    parser.addoption("--fixtures-script", required=True, help="tests/fixtures/make-fixtures.py")


@pytest.fixture(scope="session")
def cli_path(pytestconfig):
    return pytestconfig.getoption("--cli")


@pytest.fixture(scope="session")
def simulation_path(pytestconfig):
    return pytestconfig.getoption("--simulation")


@pytest.fixture(scope="session")
def fixtures_script(pytestconfig):
    return pytestconfig.getoption("--fixtures-script")
