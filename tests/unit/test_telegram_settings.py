"""Settings of the Telegram door, read from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.telegram.settings import Settings, SettingsError


def test_defaults_are_long_polling_on_the_official_api_with_quiet_logs():
    settings = Settings.from_env({"TELEGRAM_BOT_TOKEN": "1:abc"})
    assert settings.base_url == "https://api.telegram.org/bot"
    assert settings.webhook_url is None
    assert settings.log_message_text is False
    assert settings.data_dir == Path("data")


def test_base_url_for_a_local_bot_api_server_gives_the_matching_file_url():
    settings = Settings.from_env({"TELEGRAM_BOT_TOKEN": "1:abc", "TELEGRAM_BASE_URL": "http://127.0.0.1:8081/bot"})
    assert settings.base_url == "http://127.0.0.1:8081/bot"
    assert settings.base_file_url == "http://127.0.0.1:8081/file/bot"


def test_webhook_settings_and_its_path():
    settings = Settings.from_env({
        "TELEGRAM_BOT_TOKEN": "1:abc", "WEBHOOK_URL": "https://bot.example.org/telegram/hook",
        "WEBHOOK_SECRET": "abc_DEF-123", "WEBHOOK_PORT": "8080", "LOG_MESSAGE_TEXT": "1",
    })
    assert settings.webhook_path == "telegram/hook"
    assert settings.webhook_secret == "abc_DEF-123"
    assert settings.webhook_port == 8080
    assert settings.log_message_text is True


def test_webhook_secret_is_random_when_not_given():
    one = Settings.from_env({"TELEGRAM_BOT_TOKEN": "1:abc"}).webhook_secret
    two = Settings.from_env({"TELEGRAM_BOT_TOKEN": "1:abc"}).webhook_secret
    assert one != two and len(one) >= 32


def test_token_never_appears_in_the_settings_repr():
    assert "abc" not in repr(Settings.from_env({"TELEGRAM_BOT_TOKEN": "1:abc"}))


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({}, "TELEGRAM_BOT_TOKEN"),
        ({"TELEGRAM_BOT_TOKEN": "1:abc", "WEBHOOK_SECRET": "pas de espaces"}, "WEBHOOK_SECRET"),
        ({"TELEGRAM_BOT_TOKEN": "1:abc", "WEBHOOK_PORT": "huit"}, "WEBHOOK_PORT"),
        ({"TELEGRAM_BOT_TOKEN": "1:abc", "LOG_LEVEL": "bavard"}, "LOG_LEVEL"),
        ({"TELEGRAM_BOT_TOKEN": "1:abc", "TELEGRAM_BASE_URL": "127.0.0.1:8081"}, "TELEGRAM_BASE_URL"),
    ],
)
def test_bad_environment_is_an_error_naming_the_variable(env, named):
    with pytest.raises(SettingsError, match=named):
        Settings.from_env(env)


def test_webhook_listens_on_the_loopback_by_default():
    settings = Settings.from_env({"TELEGRAM_BOT_TOKEN": "1:abc", "WEBHOOK_URL": "https://bot.example.org/tg"})
    assert settings.webhook_listen == "127.0.0.1"
    assert settings.webhook_secret_is_random is True
    given = Settings.from_env({"TELEGRAM_BOT_TOKEN": "1:abc", "WEBHOOK_LISTEN": "0.0.0.0", "WEBHOOK_SECRET": "abc"})
    assert given.webhook_listen == "0.0.0.0"
    assert given.webhook_secret_is_random is False


def test_replicas_sharing_redis_behind_a_webhook_need_one_given_secret():
    env = {"TELEGRAM_BOT_TOKEN": "1:abc", "WEBHOOK_URL": "https://bot.example.org/tg",
           "REDIS_URL": "redis://127.0.0.1:6379/0"}
    with pytest.raises(SettingsError, match="WEBHOOK_SECRET is required when REDIS_URL"):
        Settings.from_env(env)
    assert Settings.from_env({**env, "WEBHOOK_SECRET": "shared_1"}).webhook_secret == "shared_1"
    # Polling replicas never use the secret: no need to invent one.
    assert Settings.from_env({**env, "WEBHOOK_URL": ""}).webhook_url is None
