"""Settings from the environment (ONEBELL_*), read once and overridable in tests."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ONEBELL_")

    data_dir: Path = Path("data")
    database_url: str | None = None  # default: SQLite file in data_dir
    admin_token: str | None = None
    workers: int = 1  # solver processes; each solve uses one core
    max_queued_jobs: int = 20
    max_body_bytes: int = 5_000_000
    max_count_rows: int = 20_000
    max_time_limit_s: float = 300.0
    default_time_limit_s: float = 10.0

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'onebell.sqlite3').resolve()}"


@lru_cache
def get_settings() -> Settings:
    return Settings()
