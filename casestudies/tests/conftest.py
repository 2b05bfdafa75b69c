import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _no_language_left_from_another_test():
    """Each test starts in the default language: a request to a French page leaves French active in the thread,
    and a model's translated attribute (entry.title, CaseStudy(title=…)) follows the active language."""
    translation.deactivate()
    yield
    translation.deactivate()
