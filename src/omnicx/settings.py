"""Every setting, declared once as data.

Precedence: defaults < config file (``omnicx.toml`` in the data folder) < ``OMNICX_*``
environment variables < CLI flags. Settings are passed explicitly; there is no global.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from omnicx.errors import ConfigError


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str

    @property
    def env_var(self) -> str:
        return "OMNICX_" + self.name.upper()


SETTINGS: tuple[Setting, ...] = (
    Setting("data", "./omnicx-data", "Data folder holding the log, events and state."),
    Setting("host", "127.0.0.1", "Interface the server listens on."),
    Setting("port", 8000, "TCP port the server listens on."),
    Setting("default_region", "US", "Region for phone numbers written without +code."),
    Setting("max_event_bytes", 32 * 1024, "Largest accepted event, in bytes."),
    Setting(
        "max_request_bytes", 500 * 1024, "Largest accepted request body, in bytes."
    ),
    Setting("log_segment_bytes", 64 * 1024 * 1024, "Ingest log segment size, bytes."),
    Setting("process_batch_events", 20_000, "Events processed per micro-batch."),
    Setting("process_interval_s", 0.05, "Processor poll interval when idle, seconds."),
    Setting("smtp_url", "", "SMTP server for email, e.g. smtp://127.0.0.1:2525."),
    Setting("smtp_from", "omnicx@localhost", "From address of outgoing email."),
    Setting("sms_webhook_url", "", "HTTP provider webhook for SMS and WhatsApp."),
    Setting("whatsapp_webhook_url", "", "Provider webhook for WhatsApp (else SMS's)."),
    Setting(
        "webhook_secret",
        "",
        "HMAC-SHA256 secret signing outgoing webhooks (X-OmniCX-Signature).",
    ),
    Setting(
        "text_analyzer",
        "",
        "Text analyzer: lexicon, transformers:<model folder>, or module:Class.",
    ),
    Setting("public_url", "", "Base URL customers reach (survey links); else local."),
    Setting("scheduler_interval_s", 1.0, "How often due jobs (delayed sends) run, s."),
    Setting("log_level", "info", "Server log level (debug, info, warning, error)."),
)

_BY_NAME = {s.name: s for s in SETTINGS}


@dataclass(frozen=True)
class Settings:
    values: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def data_dir(self) -> Path:
        return Path(self.values["data"]).expanduser().resolve()

    def replace(self, **changes: Any) -> Settings:
        return Settings({**self.values, **changes})


def _coerce(setting: Setting, value: Any, origin: str) -> Any:
    kind = type(setting.default)
    if isinstance(value, kind) and not (kind is int and isinstance(value, bool)):
        return value
    try:
        if kind is bool:
            return str(value).strip().lower() in {"1", "true", "yes", "on"}
        return kind(value)
    except (TypeError, ValueError):
        raise ConfigError(
            f"setting {setting.name!r} from {origin} must be {kind.__name__}, "
            f"got {value!r}; fix {origin} or unset it"
        ) from None


def load_settings(
    overrides: dict[str, Any] | None = None, environ: dict[str, str] | None = None
) -> Settings:
    """Resolve settings: defaults < data-folder config < environment < overrides."""
    environ = dict(os.environ) if environ is None else environ
    overrides = {k: v for k, v in (overrides or {}).items() if v is not None}
    values = {s.name: s.default for s in SETTINGS}
    data = overrides.get("data") or environ.get("OMNICX_DATA") or values["data"]
    config_path = Path(data).expanduser() / "omnicx.toml"
    if config_path.exists():
        try:
            config = tomllib.loads(config_path.read_text())
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{config_path} is not valid TOML: {exc}") from None
        for name, value in config.items():
            if name not in _BY_NAME:
                raise ConfigError(
                    f"unknown setting {name!r} in {config_path}; known: "
                    + ", ".join(sorted(_BY_NAME))
                )
            values[name] = _coerce(_BY_NAME[name], value, str(config_path))
    for setting in SETTINGS:
        if setting.env_var in environ:
            values[setting.name] = _coerce(
                setting, environ[setting.env_var], setting.env_var
            )
    for name, value in overrides.items():
        if name not in _BY_NAME:
            raise ConfigError(f"unknown setting {name!r}")
        values[name] = _coerce(_BY_NAME[name], value, f"--{name.replace('_', '-')}")
    return Settings(values)
