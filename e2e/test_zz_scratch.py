import pytest
from .helpers import visit

@pytest.fixture
def _static_files_without_collectstatic():
    pass

def test_scratch_no_override(page):
    visit(page, "/")

def test_scratch_fails(page, demo):
    visit(page, "/method/")
    assert False, "deliberate"
