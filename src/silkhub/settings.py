"""Runtime settings, read from the environment (prefix ``SILKHUB_``) at the edges only.

Services receive plain values; nothing below ``cli``/``api``/``web`` calls :func:`get_settings`.
"""

from __future__ import annotations

import os
import secrets
import time
from functools import lru_cache
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: repository root when running from a checkout (src/silkhub/settings.py -> ../../..)
REPO_ROOT = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    """silkhub settings. Every field can be set as ``SILKHUB_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="SILKHUB_", extra="ignore")

    data_dir: Path = Field(
        default=REPO_ROOT / "var",
        description="Directory for the SQLite database, Parquet files and the secret key.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the hub database; default SQLite file in data_dir.",
    )
    shared_data: Path = Field(
        default=REPO_ROOT.parent / "shared" / "data",
        description="Folder with the staged public datasets (tests and benchmarks only).",
    )
    secret_key: str | None = Field(
        default=None,
        description="Key for session cookies and CSRF tokens; generated and stored on first run.",
    )
    default_lang: str = Field(
        default="en", description="UI language when none is chosen: en or zh."
    )
    demo: bool = Field(
        default=True,
        description=(
            "Demo install: `silkhub serve` loads the demo data and, on an embedded SQLite "
            "database, creates a demo admin and member with passwords printed once; 0 for none."
        ),
    )
    jobs_broker: str = Field(
        default="",
        description=(
            "Job queue broker: empty or inline-thread (jobs run in a thread of this process), "
            "amqp://user:pass@host:5672/ (RabbitMQ) or redis://host:6379/0 (Redis)."
        ),
    )
    jobs_queue: str = Field(default="silkhub-jobs", description="Broker queue name for jobs.")
    jobs_threads: int = Field(default=2, description="Inline engine: job threads per process.")
    jobs_heartbeat_seconds: float = Field(
        default=5.0, description="How often a running job refreshes its heartbeat."
    )
    jobs_stale_seconds: float = Field(
        default=30.0, description="A running job without heartbeat for this long is reaped."
    )
    jobs_max_attempts: int = Field(
        default=2, description="Runs a job gets when its worker dies (then it is failed)."
    )
    trusted_proxies: str = Field(
        default="",
        description=(
            "Comma-separated addresses or networks (CIDR) of the reverse proxies whose "
            "X-Forwarded-For / X-Forwarded-Proto headers are believed; default none."
        ),
    )
    max_body_bytes: int = Field(
        default=4 * 1024 * 1024,
        ge=0,
        description="Largest request body in bytes (413 above it, before it is read).",
    )
    max_upload_body_bytes: int = Field(
        default=256 * 1024 * 1024,
        ge=0,
        description="Largest request body for import/upload endpoints (paths with /import).",
    )

    @model_validator(mode="after")
    def _fill_defaults(self) -> Settings:
        self.data_dir = Path(self.data_dir).expanduser()
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'silkhub.sqlite'}"
        return self

    @property
    def trusted_proxy_list(self) -> list[str]:
        """``trusted_proxies`` as a list, each entry checked (ConfigurationError if bad)."""
        import ipaddress

        from silkhub.errors import ConfigurationError

        entries = [x.strip() for x in self.trusted_proxies.split(",") if x.strip()]
        for entry in entries:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError as exc:
                raise ConfigurationError(
                    f"SILKHUB_TRUSTED_PROXIES: {entry!r} is not an IP address or network "
                    "(expected e.g. 10.0.0.5 or 10.0.0.0/24)"
                ) from exc
        return entries

    @property
    def analytics_dir(self) -> Path:
        """Where imported Parquet tables and the DuckDB catalog live."""
        return self.data_dir / "analytics"

    def ensure_secret_key(self) -> str:
        """Return the secret key, generating and storing one under data_dir on first use."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if not path.exists():
            # O_EXCL: of several worker processes starting together, one writes the key and
            # the others read it (a key per process would break sessions and CSRF tokens)
            self.data_dir.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass
            else:
                with os.fdopen(fd, "w") as f:
                    f.write(secrets.token_urlsafe(48))
        for _ in range(50):  # another process may be between creating and writing the file
            key = path.read_text().strip()
            if key:
                break
            time.sleep(0.02)
        self.secret_key = key
        return self.secret_key


@lru_cache
def get_settings() -> Settings:
    """Settings from the environment, cached (tests call ``get_settings.cache_clear()``)."""
    return Settings()
