"""Settings come from the environment, are checked at start-up and are all documented."""

import re
from pathlib import Path

import pytest

from service.settings import REPO_ROOT, Settings, SettingsError, async_url


def test_conventional_and_prefixed_variables_are_read():
    settings = Settings.from_env(
        {
            "DATABASE_URL": "postgresql://u@db:5432/miarka",
            "REDIS_URL": "redis://cache:6379/0",
            "MIARKA_PORT": "9000",
            "MIARKA_LOG_LEVEL": "DEBUG",
            "MIARKA_DATA_DIR": "/srv/miarka-data",
            "UNRELATED": "ignored",
        }
    )
    assert settings.database_url == "postgresql://u@db:5432/miarka"
    assert settings.redis_url == "redis://cache:6379/0"
    assert settings.port == 9000
    assert settings.log_level == "DEBUG"
    assert settings.data_dir == Path("/srv/miarka-data")


def test_defaults_use_the_embedded_database_and_memory_cache():
    settings = Settings.from_env({})
    assert settings.database_url is None
    assert settings.redis_url is None
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert settings.data_dir == REPO_ROOT / "data"


@pytest.mark.parametrize(
    ("env", "words"),
    [
        ({"MIARKA_PORT": "eighty"}, "port"),
        ({"MIARKA_LOG_LEVEL": "LOUD"}, "log_level"),
        ({"MIARKA_PROT": "8000"}, "MIARKA_PROT"),
        ({"MIARKA_FORWARDED_ALLOW_IPS": "10.1.2.3/8"}, "MIARKA_FORWARDED_ALLOW_IPS"),
        ({"MIARKA_FORWARDED_ALLOW_IPS": "nginx"}, "MIARKA_FORWARDED_ALLOW_IPS"),
    ],
)
def test_malformed_setting_stops_start_up_naming_it(env, words):
    with pytest.raises(SettingsError, match=words):
        Settings.from_env(env)


def test_trusted_proxies_are_a_comma_separated_list_empty_by_default():
    assert Settings.from_env({}).forwarded_allow_ips == ()
    settings = Settings.from_env({"MIARKA_FORWARDED_ALLOW_IPS": "127.0.0.1, 10.0.0.0/8,::1"})
    assert settings.forwarded_allow_ips == ("127.0.0.1", "10.0.0.0/8", "::1")


def test_database_urls_are_turned_into_asyncpg_urls():
    assert async_url("postgres://u@h/db") == "postgresql+asyncpg://u@h/db"
    assert async_url("postgresql://u@h/db") == "postgresql+asyncpg://u@h/db"
    with pytest.raises(SettingsError, match="PostgreSQL"):
        async_url("sqlite:///miarka.db")


def test_every_setting_is_documented_in_the_readme():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`((?:MIARKA_)?[A-Z][A-Z0-9_]*(?:URL)?)`", readme))
    for field in Settings.__struct_fields__:
        name = field.upper()
        name = name if name.endswith("_URL") else f"MIARKA_{name}"
        assert name in documented, f"{name} is not documented in README.md"
