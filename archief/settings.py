# SPDX-License-Identifier: EUPL-1.2
"""One Settings object, built once at start-up and passed down.

The defaults are the embedded mode: a SQLite catalog and a filesystem object
store under ./var, no search index and tasks run in-process, so the API runs
with nothing else installed. `deploy/local/up` writes var/archief.env, which
points every port at the real services.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

VAR = Path("var")


class DatabaseSettings(BaseModel):
    url: str = f"sqlite:///{VAR / 'archief.db'}"
    echo: bool = False


class ObjectStoreSettings(BaseModel):
    backend: Literal["filesystem", "s3"] = "filesystem"
    root: Path = VAR / "objects"
    endpoint: str = "127.0.0.1:19000"
    access_key: str = ""
    secret_key: SecretStr = SecretStr("")
    secure: bool = True
    region: str = "us-east-1"
    bucket: str = "archief"


class SearchSettings(BaseModel):
    # None means no search index: the API runs, search endpoints answer 503.
    url: str | None = None
    index_prefix: str = "archief"
    request_timeout: float = 30.0


class QueueSettings(BaseModel):
    # None means tasks run eagerly in the calling process (embedded mode).
    broker_url: str | None = None
    result_backend: str | None = None

    @field_validator("broker_url", "result_backend")
    @classmethod
    def _empty_is_none(cls, value: str | None) -> str | None:
        # ARCHIEF_QUEUE__BROKER_URL= (set but empty) means "no broker".
        return value or None


class OcrSettings(BaseModel):
    tesseract_cmd: str = "tesseract"
    languages: str = "nld+eng"
    # Otsu binarisation before OCR: same accuracy, less CPU (see ingest/preprocess.py).
    binarize: bool = True


class IngestSettings(BaseModel):
    spool_dir: Path = VAR / "spool"
    max_upload_bytes: int = 512 * 1024 * 1024
    max_pages: int = 5000
    # Pages whose mean word confidence falls below this go to the review list.
    review_threshold: float = 60.0
    sandbox_cpu_seconds: int = 120
    sandbox_memory_bytes: int = 1536 * 1024 * 1024
    sandbox_wall_seconds: float = 300.0
    ocr_timeout_seconds: float = 180.0
    # Content that has not moved for this long is reported as stuck.
    stuck_after_seconds: int = 900


class ApiSettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str = "http://127.0.0.1:8000"
    # Bearer tokens of services allowed to upload, until OIDC and casbin land.
    service_tokens: list[SecretStr] = Field(default_factory=list)


class Settings(BaseSettings):
    """Everything configurable, read from ARCHIEF_* variables (nested with __)."""

    model_config = SettingsConfigDict(
        env_prefix="ARCHIEF_", env_nested_delimiter="__", extra="ignore"
    )

    environment: Literal["development", "test", "production"] = "development"
    log_format: Literal["console", "json"] = "console"
    log_level: str = "INFO"
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    objectstore: ObjectStoreSettings = Field(default_factory=ObjectStoreSettings)
    search: SearchSettings = Field(default_factory=SearchSettings)
    queue: QueueSettings = Field(default_factory=QueueSettings)
    ocr: OcrSettings = Field(default_factory=OcrSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    api: ApiSettings = Field(default_factory=ApiSettings)


def load_settings(env_file: Path | None = None) -> Settings:
    """Build the settings from the environment and, if given, an env file."""
    if env_file is not None and env_file.exists():
        return Settings(_env_file=env_file)
    return Settings()
