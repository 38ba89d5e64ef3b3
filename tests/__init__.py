import pytest

# The shared loader checks are plain modules, not test files: have pytest explain their asserts.
pytest.register_assert_rewrite("tests.loader_checks")
