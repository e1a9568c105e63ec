# SPDX-License-Identifier: EUPL-1.2
"""One Settings object, built once at start-up and passed down.

The defaults are the embedded mode: a SQLite catalog and a filesystem object
store under ./var, no search index and tasks run in-process, so the API runs
with nothing else installed. `deploy/local/up` writes var/archief.env, which
points every port at the real services.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def _five_fields(value: str) -> str:
    # Refused at start-up, not on the first beat tick.
    if len(value.split()) != 5:  # the five crontab fields
        raise ValueError(f"cron needs minute hour day month weekday, got {value!r}")
    return value


# A Celery beat crontab: minute hour day-of-month month day-of-week.
Cron = Annotated[str, AfterValidator(_five_fields)]

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
    # Dutch only by default: `python -m bench.talen` measured the English model
    # costing 12-24 % more tesseract CPU per page for no CER gain, even on pages
    # half in English (nld's model reads Latin script; eng adds a dictionary).
    # ARCHIEF_OCR__LANGUAGES=nld+eng for an archive with much English.
    languages: str = "nld"
    # Otsu binarisation before OCR: same accuracy, less CPU (see ingest/preprocess.py).
    binarize: bool = True
    # A page that reads below the review threshold is asked which way is up
    # (tesseract's orientation detection) and read again turned, if it says
    # so: a sheet fed upside down into the scanner carries no flag that says so.
    detect_orientation: bool = True


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
    # `archief ingest` hands contents to the workers this many at a time, or
    # when the first has waited this long: a task's fixed cost, paid once a
    # batch (archief.intake.batches). 8 used 1.5-2.5 ms less CPU a page than
    # 1 on ten-page PDFs, 4 about half that (bench/README.md). 1 turns it off.
    hand_on_batch: int = Field(default=8, ge=1, le=64)
    hand_on_linger_seconds: float = Field(default=0.5, gt=0)
    # The API's linger: a person may wait for an upload, so shorter.
    api_hand_on_linger_seconds: float = Field(default=0.2, gt=0)
    # Content that has not moved for this long is reported as stuck.
    stuck_after_seconds: int = 900
    # Content that failed while a service was away (not quarantined) is read
    # again by a scheduled run (ingest.herstel_tasks), once it has rested this
    # long since the failure, until it has been tried this often in all; then
    # only `archief resume` does.
    herstel_cron: Cron = "*/10 * * * *"
    herstel_na_seconds: int = 900
    herstel_max_attempts: int = 50


class ApiSettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str = "http://127.0.0.1:8000"
    # Bearer tokens of services allowed to upload, until OIDC and casbin land.
    service_tokens: list[SecretStr] = Field(default_factory=list)


# Signature algorithms we can pin: asymmetric only. With an HMAC algorithm the
# verifying key is a shared secret, and a token "signed" with a public key as
# HMAC secret (HS/RS confusion) would verify; "none" verifies anything.
ASYMMETRIC_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)
_LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


class AuthSettings(BaseModel):
    """OIDC bearer tokens: who may sign them, for whom, and how claims become roles.

    Without an issuer OIDC is off: callers are anonymous or use a service token.
    """

    # The `iss` every token must carry, e.g. https://sso.gemeente.nl/realms/archief.
    # None switches OIDC off.
    issuer: str | None = None
    # The `aud` every token must carry (the client id archief is registered under).
    audience: str = "archief"
    # Where the issuer publishes its public keys; exactly one of the two when an
    # issuer is set. A URL must be https (plain http only on loopback, for tests),
    # otherwise whoever sits on the path could hand us their own keys.
    jwks_url: str | None = None
    jwks_file: Path | None = None
    # The only algorithms a token may be signed with; the header cannot widen this.
    algorithms: list[str] = Field(default_factory=lambda: ["RS256", "ES256"])
    # Clock skew tolerated on exp, nbf and iat, in seconds.
    leeway_seconds: int = Field(default=30, ge=0, le=300)
    # How long a fetched key set is trusted before it is fetched again.
    jwks_cache_seconds: int = Field(default=300, ge=0)
    # Dotted path to the list of roles in the claims ("realm_access.roles" for Keycloak).
    roles_claim: str = Field(default="roles", min_length=1)
    # Claim holding the caller's afdeling (its code in the organisation), and display name.
    afdeling_claim: str = Field(default="afdeling", min_length=1)
    name_claim: str = Field(default="name", min_length=1)
    # Claim value -> archief role. Unmapped values count only if they are an archief
    # role already; anything else is dropped (and logged).
    role_map: dict[str, str] = Field(default_factory=dict)
    # The roles a caller with one of `api.service_tokens` gets.
    service_roles: list[str] = Field(default_factory=lambda: ["systeem"])

    @field_validator("issuer", "jwks_url", "jwks_file", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        # ARCHIEF_AUTH__ISSUER= (set but empty) means "not set", not Path(".").
        return None if value == "" else value

    @field_validator("algorithms")
    @classmethod
    def _asymmetric_only(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("pin at least one algorithm")
        refused = [alg for alg in value if alg not in ASYMMETRIC_ALGORITHMS]
        if refused:
            raise ValueError(
                f"algorithms {refused} are refused: only asymmetric algorithms "
                f"({', '.join(sorted(ASYMMETRIC_ALGORITHMS))}) are accepted, never none or HS*"
            )
        return list(dict.fromkeys(value))

    @field_validator("jwks_url")
    @classmethod
    def _https_unless_loopback(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in _LOOPBACK):
            return value
        raise ValueError("jwks_url must be https (plain http only on a loopback address)")

    @model_validator(mode="after")
    def _one_key_source(self) -> AuthSettings:
        if self.issuer is not None and (self.jwks_url is None) == (self.jwks_file is None):
            raise ValueError("with an issuer set, give exactly one of jwks_url and jwks_file")
        return self


class FixiteitSettings(BaseModel):
    """How the scheduled fixity check runs (ARCHIEF_BEWARING__FIXITEIT__*)."""

    # POSTed a JSON body per deviation; None: the structlog event only.
    webhook_url: str | None = None
    # Celery beat crontab: minute hour day-of-month month day-of-week.
    cron: Cron = "17 3 * * *"
    # A scheduled run skips originals checked less than this many days ago.
    ouder_dan_dagen: int = Field(default=30, ge=0)
    # At most this many originals per scheduled run; None: all that are due.
    limiet: int | None = Field(default=None, ge=1)

    @field_validator("webhook_url", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        # ..._WEBHOOK_URL= (set but empty) means "no webhook".
        return value or None


class VernietigingSettings(BaseModel):
    """How destruction lists are reviewed and run (ARCHIEF_BEWARING__VERNIETIGING__*)."""

    # Each of these roles must approve a list, each by someone other than the
    # proposer (Open Archiefbeheer's reviewer + archivist, made configurable).
    beoordelaars: list[str] = Field(default_factory=lambda: ["leidinggevende", "archivaris"])
    # Days between the last approval and the first moment of execution, so
    # whoever objects can still place a legal hold.
    wachttijd_dagen: int = Field(default=14, ge=0)
    # Where verklaringen van vernietiging are filed: a dossier of the DIV
    # afdeling. Archive policy such as destruction lists counts as policy
    # with external effect (VNG Handreiking Selectielijst 2020, par. 5.1),
    # hence 2.1.1, kept permanently.
    dossier_kenmerk: str = "ARCHIEF-VERNIETIGINGEN"
    # Named in the verklaring as the body responsible for the records.
    zorgdrager: str = "Gemeente Groningen"
    afdeling: str = "div"
    categorie: str = "2.1.1"
    # Celery beat crontab for executing approved lists whose wait is over.
    cron: Cron = "41 2 * * *"


class OverbrengingSettings(BaseModel):
    """Transfer packages (ARCHIEF_BEWARING__OVERBRENGING__*)."""

    # Where packages (BagIt directories) are written.
    map: Path = Path("var/overbrenging")
    # The receiving archive repository, named in the package.
    ontvanger: str = "Regionaal Historisch Centrum"
    # The archiefvormer named in every MDTO informatieobject and as the bag's
    # Source-Organization, with its identifier in a public register
    # (TOOI: https://identifier.overheid.nl/tooi/id/gemeente/gm<CBS code>).
    archiefvormer: str = Field(default="Gemeente Groningen", min_length=1)
    archiefvormer_id: str | None = "https://identifier.overheid.nl/tooi/id/gemeente/gm0014"
    archiefvormer_bron: str = "TOOI"


class SociaalAccount(BaseModel):
    """One account the scheduled connector follows, and where its posts are filed."""

    # The account's public ActivityPub outbox, e.g. https://host/users/naam/outbox.
    outbox: str
    # Kenmerk of an existing dossier.
    dossier: str
    laag: str = "openbaar"
    categorie: str | None = "20.1"
    # Keep each poll's HTTP responses and posts as a WARC record too.
    warc: bool = True

    @field_validator("outbox")
    @classmethod
    def _http(cls, value: str) -> str:
        if urlsplit(value).scheme not in ("http", "https"):
            raise ValueError(f"outbox must be an http(s) URL, got {value!r}")
        return value


class SociaalSettings(BaseModel):
    """Social media capture (ARCHIEF_BEWARING__SOCIAAL__*; docs/sociale-media.md)."""

    # Followed on a schedule, e.g. ..._ACCOUNTS='[{"outbox": "...", "dossier": "..."}]'.
    accounts: list[SociaalAccount] = Field(default_factory=list)
    # Celery beat crontab: minute hour day-of-month month day-of-week.
    cron: Cron = "*/30 * * * *"
    # Defaults for `archief sociaal importeer|volg`: the posts were public.
    laag: str = "openbaar"
    categorie: str | None = "20.1"
    max_paginas: int = Field(default=20, ge=1)
    timeout_seconden: float = Field(default=10.0, gt=0)


class BewaringSettings(BaseModel):
    fixiteit: FixiteitSettings = Field(default_factory=FixiteitSettings)
    vernietiging: VernietigingSettings = Field(default_factory=VernietigingSettings)
    overbrenging: OverbrengingSettings = Field(default_factory=OverbrengingSettings)
    sociaal: SociaalSettings = Field(default_factory=SociaalSettings)


class PubliekSettings(BaseModel):
    """The public face (ARCHIEF_PUBLIEK__*): who publishes, and what the wijken are called."""

    # The publisher named on pages and feeds and in Woo metadata, with its
    # TOOI identifier (https://identifier.overheid.nl/tooi/id/gemeente/gm<CBS code>);
    # None: not known, and the Woo metadata names the publisher without it.
    organisatie: str = Field(default="Gemeente Groningen", min_length=1)
    organisatie_tooi: str | None = "https://identifier.overheid.nl/tooi/id/gemeente/gm0014"
    # Display names of wijk slugs (oosterpark: Oosterpark); unnamed slugs are shown as typed.
    wijknamen: dict[str, str] = Field(default_factory=dict)

    @field_validator("organisatie_tooi")
    @classmethod
    def _tooi(cls, value: str | None) -> str | None:
        # Refused at start-up: a typo would put a wrong publisher in every record's metadata.
        if value and not value.startswith("https://identifier.overheid.nl/tooi/id/"):
            raise ValueError("a TOOI organisation is https://identifier.overheid.nl/tooi/id/…")
        return value or None


class MailSettings(BaseModel):
    """Outgoing e-mail over SMTP (ARCHIEF_MAIL__*); no host: nothing is sent, a warning logged."""

    host: str | None = None
    port: int = Field(default=25, ge=1, le=65535)
    # STARTTLS before anything is sent (required by most relays outside the building).
    starttls: bool = False
    username: str | None = None
    password: SecretStr | None = None
    afzender: str = "noreply@archief.example"
    timeout_seconden: float = Field(default=10.0, gt=0)


class ReactieSettings(BaseModel):
    """Abuse limits of the public reaction form (ARCHIEF_REACTIES__*)."""

    # Longest bericht in characters; a longer one is refused (413) with the text kept.
    max_tekens: int = Field(default=5000, ge=100, le=100_000)
    # Fixed window per client IP per dossier: at most `per_venster` reactions.
    per_venster: int = Field(default=5, ge=1)
    venster_seconden: int = Field(default=3600, ge=1)
    # The Redis holding the counters; None: the queue's broker when that is Redis,
    # else no rate limit (a warning per reaction).
    redis_url: str | None = None


class RappelSettings(BaseModel):
    """Reminders to the official of a public dossier going stale (ARCHIEF_RAPPEL__*)."""

    # Review interval for dossiers that do not set their own.
    interval_dagen: int = Field(default=90, ge=1, le=3650)
    # Celery beat crontab: minute hour day-of-month month day-of-week.
    cron: Cron = "7 8 * * 1-5"


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
    auth: AuthSettings = Field(default_factory=AuthSettings)
    bewaring: BewaringSettings = Field(default_factory=BewaringSettings)
    publiek: PubliekSettings = Field(default_factory=PubliekSettings)
    mail: MailSettings = Field(default_factory=MailSettings)
    reacties: ReactieSettings = Field(default_factory=ReactieSettings)
    rappel: RappelSettings = Field(default_factory=RappelSettings)


def load_settings(env_file: Path | None = None) -> Settings:
    """Build the settings from the environment and, if given, an env file."""
    if env_file is not None and env_file.exists():
        return Settings(_env_file=env_file)
    return Settings()
