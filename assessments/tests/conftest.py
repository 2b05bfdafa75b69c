import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _no_language_left_from_another_test():
    """Each test starts in the default language: a request to a French page leaves French active in the thread,
    and then reverse() would build /fr/ addresses and numbers would be written the French way."""
    translation.deactivate()
    yield
    translation.deactivate()
