# SPDX-License-Identifier: EUPL-1.2
"""Ingest benchmark: archief against raw tesseract, OCRmyPDF and raw pypdf.

One run, one generated corpus (bench.corpus), one table: pages/min for scanned
pages and pages/s for born-digital ones, mean character error rate against the
ground truth, and peak RSS per worker. A closing "targets" block compares the
ratios with the targets of the ingest issue. It prints; it asserts nothing.

    python -m bench.ingest [--scanned-pages N] [--digital-pages M] [--digital-size P]
                           [--workdir DIR]
    python -m bench.ingest --preprocess-study

See bench/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import math
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import numpy as np
import psutil
import psycopg
import redis
from PIL import Image, ImageFilter, ImageOps
from psycopg import sql
from pydantic import SecretStr
from pypdf import PdfReader
from rapidfuzz.distance import Levenshtein
from sqlalchemy.engine import make_url

from archief.errors import PortError
from archief.settings import ObjectStoreSettings, SearchSettings
from archief.storage.s3 import S3ObjectStore
from bench import cpu
from bench.corpus import DIGITAL_SIZES, REPO_ROOT, CorpusDoc, Manifest, build_corpus
from bench.http_intake import HttpIntakeUnavailable, api_server, upload_and_wait
from bench.peers import RELEASES, OcrmypdfRelease, PeerUnavailable, ocrmypdf_command
from bench.processes import stop_session
from bench.warm import PASS_PAGES as WARM_PASS_PAGES
from bench.warm import warm_search
from search.index import ElasticsearchIndex

MIB = 1024 * 1024
# The peer measurement ran two tesseract processes on two cores; so do we.
TESSERACT_PROCS = 2
SAMPLE_INTERVAL_S = 0.2

# Targets from the ingest issue.
TARGET_VS_OCRMYPDF = 3.0
TARGET_VS_TESSERACT = 0.8
TARGET_DIGITAL_VS_PYPDF = 0.5
PEER_TESSERACT_VS_OCRMYPDF = 4.4

Popen = subprocess.Popen[bytes]


# --------------------------------------------------------------------------
# Character error rate
# --------------------------------------------------------------------------


def normalise(text: str) -> str:
    """Collapse every run of whitespace (incl. form feeds, no-break spaces) to one space."""
    return " ".join(text.split())


def cer(truth: str, hypothesis: str) -> float:
    """Return Levenshtein distance / len(truth) on whitespace-normalised text."""
    ref = normalise(truth)
    if not ref:
        return 0.0 if not normalise(hypothesis) else 1.0
    return Levenshtein.distance(ref, normalise(hypothesis)) / len(ref)


def mean(values: Sequence[float]) -> float:
    """Return the arithmetic mean, NaN for no values."""
    return sum(values) / len(values) if values else float("nan")


# --------------------------------------------------------------------------
# Peak RSS of process trees
# --------------------------------------------------------------------------


def tree_rss(root: psutil.Process) -> int:
    """Return the summed RSS of a process and its descendants (0 if it is gone).

    Forked children share pages with their parent and RSS counts them in both,
    so this is an upper bound on what the tree really holds.
    """
    try:
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for proc in procs:
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            total += proc.memory_info().rss
    return total


class RssSampler:
    """Sample process-tree RSS in a thread and keep each root's peak."""

    def __init__(
        self, roots: Callable[[], Sequence[psutil.Process]], interval: float = SAMPLE_INTERVAL_S
    ) -> None:
        self._roots = roots
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.peaks: dict[int, int] = {}

    def _run(self) -> None:
        while not self._stop.is_set():
            for root in self._roots():
                rss = tree_rss(root)
                self.peaks[root.pid] = max(self.peaks.get(root.pid, 0), rss)
            self._stop.wait(self._interval)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def peak_mib(self) -> float:
        """Return the largest peak over all roots seen, in MiB."""
        return max(self.peaks.values(), default=0) / MIB


def own_children() -> list[psutil.Process]:
    """Return the bench's direct child processes: each is one worker of a peer tool."""
    try:
        return psutil.Process().children()
    except psutil.NoSuchProcess:  # pragma: no cover - we are alive while we ask
        return []


# --------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One line of the table."""

    system: str
    kind: str
    pages: int
    wall_s: float
    cer: float | None
    peak_rss_mib: str
    cpu_s: float | None = None

    @property
    def per_min(self) -> float:
        """Pages per minute."""
        return self.pages / self.wall_s * 60 if self.wall_s else float("nan")

    @property
    def per_s(self) -> float:
        """Pages per second."""
        return self.pages / self.wall_s if self.wall_s else float("nan")


@dataclass(frozen=True)
class PipelineRun:
    """What the archief pipeline achieved on the corpus."""

    pages_per_min_scanned: float
    pages_per_s_digital: float
    cer_scanned: float
    peak_rss_per_worker_mib: tuple[float, ...]
    # Beyond the figures: catches a born-digital extraction regression.
    cer_digital: float | None = None
    # What one `archief ingest` costs before it reads a file (CLI only): it is
    # inside the CLI rows' wall time, once per run, whatever the run's size.
    startup_s: float | None = None
    # CPU seconds per part (bench.cpu) during the born-digital run.
    cpu_digital: Mapping[str, float] | None = None
    # Raw pypdf on the same files just before and just after the born-digital
    # run: the machine's speed drifts by a third within minutes, so the ratio
    # compares moments, not a run with a peer measured ten minutes later.
    pypdf_around: tuple[Row, Row] | None = None
    # The untimed warm-up ingest before the runs: (pages, seconds).
    warm_up: tuple[int, float] | None = None

    def pypdf_pages_per_s(self) -> float | None:
        """Raw pypdf's pages/s over the two runs around the born-digital run."""
        if self.pypdf_around is None:
            return None
        before, after = self.pypdf_around
        return (before.pages + after.pages) / (before.wall_s + after.wall_s)


class PipelineUnavailable(Exception):
    """The archief pipeline could not be measured; the reason is the message."""


# --------------------------------------------------------------------------
# Peers: raw tesseract, OCRmyPDF, raw pypdf
# --------------------------------------------------------------------------


def extract_jpegs(pdf: Path, out_dir: Path) -> list[Path]:
    """Extract each page's image as the PDF holds it (`pdfimages -j`: DCT stays JPEG)."""
    prefix = out_dir / pdf.stem
    subprocess.run(["pdfimages", "-j", str(pdf), str(prefix)], check=True)
    return sorted(out_dir.glob(f"{pdf.stem}-*"))


def tesseract_text(image: Path) -> str:
    """OCR one image with the tesseract CLI, one thread, Dutch model."""
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    done = subprocess.run(
        ["tesseract", str(image), "-", "-l", "nld"],
        env=env,
        check=True,
        capture_output=True,
    )
    return done.stdout.decode("utf-8", errors="replace")


def run_tesseract(corpus_dir: Path, docs: Sequence[CorpusDoc], work: Path) -> Row:
    """Raw tesseract, a pool of two single-threaded processes, on the PDFs' own JPEGs."""
    images_dir = work / "tesseract-images"
    shutil.rmtree(images_dir, ignore_errors=True)
    images_dir.mkdir(parents=True)
    truths = [truth for doc in docs for truth in doc.pages]
    start = time.perf_counter()
    with RssSampler(own_children) as sampler:
        images: list[Path] = []
        for doc in docs:
            found = extract_jpegs(corpus_dir / doc.path, images_dir)
            if len(found) != len(doc.pages) or any(p.suffix != ".jpg" for p in found):
                raise RuntimeError(f"{doc.path}: expected one JPEG per page, got {found}")
            images.extend(found)
        with ThreadPoolExecutor(TESSERACT_PROCS) as pool:
            texts = list(pool.map(tesseract_text, images))
    wall = time.perf_counter() - start
    score = mean([cer(t, h) for t, h in zip(truths, texts, strict=True)])
    return Row(
        f"raw tesseract ({TESSERACT_PROCS} procs)",
        "scanned",
        len(truths),
        wall,
        score,
        f"{sampler.peak_mib():.0f}",
    )


def run_ocrmypdf(
    corpus_dir: Path, docs: Sequence[CorpusDoc], work: Path, release: OcrmypdfRelease
) -> Row:
    """One OCRmyPDF release with its defaults (all cores), one document at a time."""
    command = [*ocrmypdf_command(release), "-q", "-l", "nld", "--output-type", "pdf"]
    out_dir = work / f"ocrmypdf-{release.version}"
    shutil.rmtree(out_dir, ignore_errors=True)
    out_dir.mkdir(parents=True)
    outputs = []
    start = time.perf_counter()
    with RssSampler(own_children) as sampler:
        for doc in docs:
            out = out_dir / Path(doc.path).name
            subprocess.run([*command, str(corpus_dir / doc.path), str(out)], check=True)
            outputs.append(out)
    wall = time.perf_counter() - start
    scores = []
    for doc, out in zip(docs, outputs, strict=True):
        reader = PdfReader(out)
        for truth, page in zip(doc.pages, reader.pages, strict=True):
            scores.append(cer(truth, page.extract_text()))
    return Row(
        release.system,
        "scanned",
        len(scores),
        wall,
        mean(scores),
        f"{sampler.peak_mib():.0f}",
    )


def run_pypdf(corpus_dir: Path, docs: Sequence[CorpusDoc]) -> Row:
    """Raw pypdf text extraction over every born-digital page, in this process."""
    texts: list[str] = []
    start, used = time.perf_counter(), time.process_time()
    for doc in docs:
        reader = PdfReader(corpus_dir / doc.path)
        texts.extend(page.extract_text() for page in reader.pages)
    wall, used = time.perf_counter() - start, time.process_time() - used
    truths = [truth for doc in docs for truth in doc.pages]
    score = mean([cer(t, h) for t, h in zip(truths, texts, strict=True)])
    return Row("raw pypdf (1 proc)", "digital", len(truths), wall, score, "-", cpu_s=used)


# --------------------------------------------------------------------------
# The archief pipeline
# --------------------------------------------------------------------------


def warm_up_search(manifest: Manifest, env_file: Path = REPO_ROOT / "var" / "archief.env") -> None:
    """Warm Elasticsearch's JIT before any clock starts (bench.warm), and say what it cost."""
    if not env_file.exists():
        return  # no stack: run_archief says so
    url = stack_env(env_file).get("ARCHIEF_SEARCH__URL")
    if not url:
        return
    docs = manifest.of_kind("digital") or manifest.of_kind("scanned")
    try:
        costs = warm_search(url, docs, prefix=f"bench-warm-{os.getpid()}")
    except PortError as exc:
        print(f"Elasticsearch warm-up: not done ({exc})\n")
        return
    if costs:
        print(
            "Elasticsearch warm-up (bench/warm.py): "
            + ", ".join(f"{c:.2f}" for c in costs)
            + f" ms of its CPU a page, in passes of {WARM_PASS_PAGES} pages or more\n"
        )


def stack_env(env_file: Path) -> dict[str, str]:
    """Return the environment `set -a; source var/archief.env` gives, as the Makefile does."""
    done = subprocess.run(
        ["bash", "-c", 'set -a && source "$1" && env -0', "bash", str(env_file)],
        check=True,
        capture_output=True,
    )
    pairs = (item.split("=", 1) for item in done.stdout.decode().split("\0") if "=" in item)
    return dict(pairs)


@contextlib.contextmanager
def workers(
    archief: Path, env: dict[str, str], logs: Path, count: int = 2
) -> Iterator[list[Popen]]:
    """Start `count` workers with `archief worker --concurrency 1`; stop them afterwards."""
    procs: list[Popen] = []
    try:
        for index in range(count):
            log = (logs / f"worker-{index}.log").open("wb")
            procs.append(
                subprocess.Popen(
                    [str(archief), "worker", "--concurrency", "1"],
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    # Own session: stopping a worker reaches its prefork child and nothing else.
                    start_new_session=True,
                )
            )
            log.close()
        deadline = time.monotonic() + 120
        for index, proc in enumerate(procs):
            log_path = logs / f"worker-{index}.log"
            while b" ready." not in log_path.read_bytes():
                if proc.poll() is not None:
                    raise PipelineUnavailable(f"worker exited: {_tail(log_path)}")
                if time.monotonic() > deadline:
                    raise PipelineUnavailable(f"worker not ready after 120 s: {_tail(log_path)}")
                time.sleep(0.2)
        yield procs
    finally:
        for proc in procs:
            stop_session(proc)


def wait_idle(broker_url: str, timeout: float = 600.0) -> None:
    """Return once the bench's Redis queue is empty and no task is unacknowledged."""
    client = redis.Redis.from_url(broker_url)
    deadline = time.monotonic() + timeout
    # kombu keeps one list per priority step ("celery", "celery\x06\x163", ...)
    # and, with acks_late, each running task in the "unacked" hash.
    while time.monotonic() < deadline:
        queues = [k for k in client.scan_iter(match="celery*") if client.type(k) == b"list"]
        waiting = sum(client.llen(key) for key in queues)
        if waiting == 0 and client.hlen("unacked") == 0:
            return
        time.sleep(0.1)
    raise PipelineUnavailable(f"the workers did not become idle within {timeout:.0f} s")


def _tail(path: Path, lines: int = 3) -> str:
    text = path.read_text(errors="replace").strip().splitlines()
    return " | ".join(text[-lines:]) if text else "(no output)"


def _archief(
    archief: Path, env: dict[str, str], log: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    """Run an archief command; keep its whole output in `log` for the post-mortem."""
    done = subprocess.run(
        [str(archief), *args], env=env, capture_output=True, text=True, check=False
    )
    log.write_text(f"$ archief {' '.join(args)}\n{done.stdout}\n{done.stderr}", encoding="utf-8")
    return done


def _require(done: subprocess.CompletedProcess[str], what: str, log: Path) -> None:
    if done.returncode != 0:
        # Typer draws its errors in boxes, wrapped at the terminal width: keep the
        # words of the last few lines, drop the frame.
        words = [
            line.strip("│╭╮╰╯─ ")
            for line in (done.stderr or done.stdout).splitlines()
            if line.strip("│╭╮╰╯─ ")
        ]
        reason = " ".join(words[-3:])[-200:] or "no output"
        raise PipelineUnavailable(f"{what} exited {done.returncode}: {reason}; see {log}")


def run_archief(
    corpus_dir: Path,
    manifest: Manifest,
    *,
    env_file: Path = REPO_ROOT / "var" / "archief.env",
    work: Path | None = None,
    intake: str = "cli",
    pypdf_around: bool = True,
    warm: Path | None = None,
) -> PipelineRun:
    """Measure the archief pipeline, upload → searchable, on the corpus.

    Contract (the lead completes the commands it calls):
    - the stack is up and `env_file` holds its settings;
    - the bench starts two `archief worker --concurrency 1` processes with a
      search index prefix and bucket of its own (`bench-<run>`);
    - `archief ingest DIR --dossier BENCH-<run> --layer afdeling --afdeling wijkzaken --wait` MUST
      return only when every item is indexed or failed; its wall time is the
      figure, once for the scanned and once for the born-digital files;
    - `archief export-text --dossier BENCH-<run> --out DIR` MUST write
      `<original-file-stem>/page-0001.txt`, … for the CER; a missing page
      counts as CER 1.
    With `intake="http"` the files go in through `POST /ingest` of a running
    `archief serve` instead (bench.http_intake), in an archive of their own.
    With `pypdf_around`, raw pypdf reads the born-digital files just before
    and just after their run, on idle workers. The PDFs in `warm` go in
    first, untimed, into a dossier of their own.
    Raises PipelineUnavailable (with the reason) if any of that is missing.
    """
    archief = Path(sys.executable).with_name("archief")
    if not archief.exists():
        raise PipelineUnavailable(f"{archief} not installed")
    if not env_file.exists():
        raise PipelineUnavailable(f"{env_file} missing (start the stack: make up)")
    run = datetime.now(UTC).strftime("%Y%m%d-%H%M%S") + ("-http" if intake == "http" else "")
    stack = stack_env(env_file)
    # Everything of its own: catalog, bucket, index and queue, so the bench
    # neither pollutes the developer's archive nor shares workers with it.
    env = {
        **stack,
        "ARCHIEF_DATABASE__URL": _database_url(stack["ARCHIEF_DATABASE__URL"], f"bench_{run}"),
        "ARCHIEF_SEARCH__INDEX_PREFIX": f"bench-{run}",
        "ARCHIEF_OBJECTSTORE__BUCKET": f"bench-{run}",
        "ARCHIEF_QUEUE__BROKER_URL": stack["ARCHIEF_QUEUE__BROKER_URL"].rsplit("/", 1)[0] + "/12",
    }
    _create_database(stack["ARCHIEF_DATABASE__URL"], f"bench_{run}".replace("-", "_"))
    try:
        return _measure(
            archief,
            env,
            run=run,
            corpus_dir=corpus_dir,
            manifest=manifest,
            work=work,
            intake=intake,
            pypdf_around=pypdf_around,
            warm=warm,
        )
    finally:
        _clean_up(stack, env, f"bench_{run}".replace("-", "_"))


def _database_url(url: str, name: str) -> str:
    return make_url(url).set(database=name.replace("-", "_")).render_as_string(hide_password=False)


def _create_database(url: str, name: str) -> None:
    admin = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("create database {}").format(sql.Identifier(name)))


def _clean_up(stack: dict[str, str], env: dict[str, str], database: str) -> None:
    """Drop the bench's database, bucket and index, and empty its Redis database."""
    # Thumbnail tasks queue behind everything else and may still wait when
    # the workers stop; the next run must not inherit them.
    redis.Redis.from_url(env["ARCHIEF_QUEUE__BROKER_URL"]).flushdb()
    admin = make_url(stack["ARCHIEF_DATABASE__URL"]).set(drivername="postgresql")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(
            sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(database))
        )
    store = S3ObjectStore.from_settings(
        ObjectStoreSettings(
            backend="s3",
            endpoint=env["ARCHIEF_OBJECTSTORE__ENDPOINT"],
            access_key=env["ARCHIEF_OBJECTSTORE__ACCESS_KEY"],
            secret_key=SecretStr(env["ARCHIEF_OBJECTSTORE__SECRET_KEY"]),
            secure=env.get("ARCHIEF_OBJECTSTORE__SECURE", "false") == "true",
            bucket=env["ARCHIEF_OBJECTSTORE__BUCKET"],
        )
    )
    store.remove_scratch_bucket()
    ElasticsearchIndex.from_settings(
        SearchSettings(
            url=env["ARCHIEF_SEARCH__URL"], index_prefix=env["ARCHIEF_SEARCH__INDEX_PREFIX"]
        )
    ).drop()


def _measure(
    archief: Path,
    env: dict[str, str],
    *,
    run: str,
    corpus_dir: Path,
    manifest: Manifest,
    work: Path | None,
    intake: str = "cli",
    pypdf_around: bool = True,
    warm: Path | None = None,
) -> PipelineRun:
    """Ingest the corpus through workers and read the text back; see run_archief."""
    work = work or Path(tempfile.mkdtemp(prefix="archief-bench-"))
    logs = work / ("archief-logs" if intake == "cli" else f"archief-logs-{intake}")
    shutil.rmtree(logs, ignore_errors=True)
    logs.mkdir(parents=True)
    for command in ("ingest", "export-text"):
        log = logs / f"{command}-help.log"
        _require(_archief(archief, env, log, command, "--help"), f"archief {command}", log)

    # A new archive is set up once, not per upload: the schema, the seeded
    # organisation and policy exist before the clock starts, as in production.
    log = logs / "migrate.log"
    _require(_archief(archief, env, log, "migrate"), "archief migrate", log)

    dossier = f"BENCH-{run}"
    where = ["--dossier", dossier, "--layer", "afdeling", "--afdeling", "wijkzaken"]
    timings: dict[str, float] = {}
    cpu_digital: dict[str, float] | None = None
    around: list[Row] = []
    digital = manifest.of_kind("digital")
    with workers(archief, env, logs) as procs, contextlib.ExitStack() as stack:
        server: tuple[str, str] | None = None
        # The dossier exists before the clock starts, as it would for a DMS
        # handing in files: `archief ingest` of nothing creates it. Timed, it
        # is also what the CLI costs before its first file.
        empty = work / "leeg"
        empty.mkdir(exist_ok=True)
        log = logs / "dossier.log"
        start = time.perf_counter()
        done = _archief(archief, env, log, "ingest", str(empty), *where, "--no-wait")
        startup = time.perf_counter() - start
        _require(done, "archief ingest (dossier)", log)
        if intake == "http":
            try:
                server = stack.enter_context(api_server(archief, env, logs / "serve.log"))
            except HttpIntakeUnavailable as exc:
                raise PipelineUnavailable(str(exc)) from exc
        warm_up = (
            None
            if warm is None
            else _warm_up(
                archief,
                env,
                server=server,
                folder=warm,
                where=["--dossier", f"{dossier}-OPWARMEN", *where[2:]],
                logs=logs,
                empty=empty,
            )
        )
        roots = [psutil.Process(p.pid) for p in procs]
        with RssSampler(lambda: roots) as sampler:
            for kind in ("scanned", "digital"):
                # Each kind starts on idle workers: the scanned run's thumbnails
                # (queued last, drawn after indexing) are not the digital run's work.
                wait_idle(env["ARCHIEF_QUEUE__BROKER_URL"])
                bracket = kind == "digital" and pypdf_around and bool(digital)
                if bracket:
                    around.append(run_pypdf(corpus_dir, digital))
                # The API server, when there is one: the bench's other children.
                serving = [c for c in own_children() if c.pid not in {r.pid for r in roots}]
                before = cpu.snapshot(roots, serving)
                timings[kind] = _ingest(
                    archief, env, server, corpus_dir / kind, where, logs / f"ingest-{kind}.log"
                )
                if kind == "digital":
                    cpu_digital = cpu.spent(before, cpu.snapshot(roots, serving))
                if bracket:
                    # The run's thumbnails are drawn after it: not on pypdf's clock.
                    wait_idle(env["ARCHIEF_QUEUE__BROKER_URL"])
                    around.append(run_pypdf(corpus_dir, digital))
    peaks = tuple(sampler.peaks.get(p.pid, 0) / MIB for p in procs)

    export = work / "archief-text"
    shutil.rmtree(export, ignore_errors=True)
    log = logs / "export-text.log"
    _require(
        _archief(archief, env, log, "export-text", "--dossier", dossier, "--out", str(export)),
        "archief export-text",
        log,
    )
    return PipelineRun(
        pages_per_min_scanned=manifest.pages("scanned") / timings["scanned"] * 60,
        pages_per_s_digital=manifest.pages("digital") / timings["digital"],
        cer_scanned=exported_cer(export, manifest.of_kind("scanned")),
        peak_rss_per_worker_mib=peaks,
        cer_digital=exported_cer(export, manifest.of_kind("digital")),
        startup_s=startup if intake == "cli" else None,
        cpu_digital=cpu_digital,
        pypdf_around=(around[0], around[1]) if len(around) == 2 else None,
        warm_up=warm_up,
    )


def _ingest(  # noqa: PLR0917  # the arguments _measure and _warm_up pass on
    archief: Path,
    env: dict[str, str],
    server: tuple[str, str] | None,
    folder: Path,
    where: list[str],
    log: Path,
) -> float:
    """Ingest one folder upload → searchable, by the CLI or (with `server`) HTTP; the wall time.

    The clock stops when a search finds every file, not when the catalog
    says the last one is indexed (`_until_found`).
    """
    files = sorted(folder.glob("*.pdf"))
    shas = [hashlib.sha256(f.read_bytes()).hexdigest() for f in files]
    start = time.perf_counter()
    if server is None:
        done = _archief(archief, env, log, "ingest", str(folder), *where)
        _require(done, f"archief ingest ({folder.name})", log)
        return _until_found(env, shas, start, log)
    options = dict(zip(where[::2], where[1::2], strict=True))
    try:
        statuses = upload_and_wait(
            *server, files, dossier=options["--dossier"], laag=options["--layer"]
        )
    except (HttpIntakeUnavailable, httpx.HTTPError) as exc:
        raise PipelineUnavailable(f"HTTP intake ({folder.name}): {exc}") from exc
    log.write_text(" ".join(statuses), encoding="utf-8")
    return _until_found(env, shas, start, log)


def _warm_up(
    archief: Path,
    env: dict[str, str],
    *,
    server: tuple[str, str] | None,
    folder: Path,
    where: list[str],
    logs: Path,
    empty: Path,
) -> tuple[int, float]:
    """Ingest `folder` untimed into a dossier of its own; its pages and seconds.

    A running archive is warm: its workers have read documents, its bucket,
    tables and index are in use, Elasticsearch has written and refreshed
    segments. A new one is not, and its first batches cost up to twice the
    CPU a page of later ones (2026-11-24).
    """
    log = logs / "dossier-warm.log"
    done = _archief(archief, env, log, "ingest", str(empty), *where, "--no-wait")
    _require(done, "archief ingest (warm-up dossier)", log)
    pages = sum(len(PdfReader(f).pages) for f in folder.glob("*.pdf"))
    return pages, _ingest(archief, env, server, folder, where, logs / "ingest-warm.log")


def _until_found(
    env: Mapping[str, str], shas: Sequence[str], start: float, log: Path, timeout: float = 30.0
) -> float:
    """Seconds from `start` until a search finds a record of every one of `shas`.

    "Indexed" in the catalog is not yet searchable: Elasticsearch shows new
    documents after its next refresh, up to a second later (a shard nobody
    searched for 30 s refreshes when the next search comes, and that search
    waits for it). A count is a search, so it waits as a user's would.
    Should some never be found, the wait ends at `timeout` and says so in `log`.
    """
    index = ElasticsearchIndex.from_settings(
        SearchSettings(
            url=env["ARCHIEF_SEARCH__URL"], index_prefix=env["ARCHIEF_SEARCH__INDEX_PREFIX"]
        )
    )
    query = {"terms": {"sha256": list(shas)}}
    deadline = time.perf_counter() + timeout
    while True:
        found = int(index.client.count(index=index.alias, query=query)["count"])
        now = time.perf_counter()
        if found >= len(shas) or now > deadline:
            break
        # Once searched, the shard refreshes each second: no need to ask more often.
        time.sleep(0.05)
    if found < len(shas):
        with log.open("a", encoding="utf-8") as out:
            out.write(
                f"\nbench: a search found {found} of {len(shas)} files after {timeout:.0f} s\n"
            )
    return now - start


def exported_cer(export: Path, docs: Sequence[CorpusDoc]) -> float:
    """Mean CER of `archief export-text` output; a page it did not write counts as 1."""
    scores = []
    for doc in docs:
        stem = Path(doc.path).stem
        for number, truth in enumerate(doc.pages, start=1):
            page = export / stem / f"page-{number:04d}.txt"
            scores.append(cer(truth, page.read_text(encoding="utf-8")) if page.exists() else 1.0)
    return mean(scores)


# --------------------------------------------------------------------------
# Printing
# --------------------------------------------------------------------------


def _fmt_cer(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.2f} %"


def print_table(rows: Sequence[Row]) -> None:
    """Print the figures as one aligned table."""
    header = ("system", "kind", "pages", "wall s", "throughput", "mean CER", "peak RSS MiB")
    body = []
    for row in rows:
        rate = (
            f"{row.per_min:.1f} pages/min" if row.kind == "scanned" else f"{row.per_s:.1f} pages/s"
        )
        body.append(
            (
                row.system,
                row.kind,
                str(row.pages),
                f"{row.wall_s:.1f}",
                rate,
                _fmt_cer(row.cer),
                row.peak_rss_mib,
            )
        )
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]
    right = {2, 3, 4, 5, 6}
    for r in [header, *body]:
        cells = [
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        ]
        print("  ".join(cells).rstrip())


def print_startup(pipelines: Mapping[str, PipelineRun]) -> None:
    """The CLI's fixed cost, which its wall times include."""
    for label, run in pipelines.items():
        if run.startup_s is not None:
            print(
                f"{label}: start-up {run.startup_s:.1f} s (an `archief ingest` of an empty "
                "folder), inside each of its wall times"
            )


def print_warm_up(pipelines: Mapping[str, PipelineRun]) -> None:
    """The untimed warm-up of each archive, as a cold stack would have scored."""
    for label, run in pipelines.items():
        if run.warm_up is not None:
            pages, seconds = run.warm_up
            print(
                f"{label}: warm-up {pages} born-digital pages of another seed first, "
                f"{pages / seconds:.1f} pages/s on the new archive (not in the table)"
            )


def print_around(pipelines: Mapping[str, PipelineRun]) -> None:
    """Raw pypdf just before and after each born-digital run, which the targets compare with."""
    for label, run in pipelines.items():
        if run.pypdf_around is None:
            continue
        before, after = run.pypdf_around
        print(
            f"{label}, digital: raw pypdf just before {before.per_s:.1f} pages/s, "
            f"just after {after.per_s:.1f} ({_ms_a_page(before)} / {_ms_a_page(after)} ms a page)"
        )


def _ms_a_page(row: Row) -> str:
    return f"{row.wall_s / row.pages * 1000:.1f}" if row.pages else "-"


def print_cpu(pipelines: Mapping[str, PipelineRun], pypdf: Row | None, pages: int) -> None:
    """CPU seconds per part during the born-digital run, and the bound they put on throughput."""
    runs = {label: run.cpu_digital for label, run in pipelines.items() if run.cpu_digital}
    if not runs or not pages:
        return
    cores = os.cpu_count() or 1
    print(f"\nCPU seconds during the born-digital run ({pages} pages; bench/cpu.py)")
    for label, parts in runs.items():
        total = sum(parts.values())
        shares = ", ".join(f"{part} {seconds:.1f}" for part, seconds in parts.items())
        print(f"  {label}: {shares}; {total:.1f} in all, {total / pages * 1000:.1f} ms per page")
    if pypdf is None or pypdf.cpu_s is None:
        return
    print(f"  raw pypdf: {pypdf.cpu_s:.1f}, {pypdf.cpu_s / pages * 1000:.1f} ms per page")
    for label, parts in runs.items():
        # With every core busy and no waiting, throughput is cores / CPU per page.
        bound = cores * pypdf.cpu_s / sum(parts.values())
        print(f"  {label}: its CPU alone allows at most {bound:.2f}x raw pypdf on {cores} cores")


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def _short(row: Row) -> str:
    """`ocrmypdf 16.13.0 (Paperless-ngx 2.20 pin)` → `ocrmypdf 16.13.0`, for the targets."""
    return row.system.split(" (")[0]


def _target(name: str, ratio: float, goal: float) -> tuple[str, str, str, str]:
    return (name, f"{ratio:.2f}x", f">= {goal:.1f}x", _verdict(ratio >= goal))


def print_targets(
    pipelines: Mapping[str, PipelineRun],
    tesseract: Row | None,
    ocrmypdfs: Sequence[Row],
    pypdf: Row | None,
) -> None:
    """Print the issue's targets for each way in, against each OCRmyPDF release."""
    print("\ntargets")
    lines: list[tuple[str, str, str, str]] = []
    if not pipelines:
        lines.append(("archief targets", "n/a", "", "archief pipeline not measured"))
    for label, archief in pipelines.items():
        who = label.removeprefix("archief ")  # "via CLI", "via HTTP"
        for peer in ocrmypdfs:
            ratio = archief.pages_per_min_scanned / peer.per_min
            lines.append(
                _target(f"scanned, archief {who} / {_short(peer)}", ratio, TARGET_VS_OCRMYPDF)
            )
        if tesseract:
            ratio = archief.pages_per_min_scanned / tesseract.per_min
            lines.append(
                _target(f"scanned, archief {who} / raw tesseract", ratio, TARGET_VS_TESSERACT)
            )
        for peer in ocrmypdfs:
            if peer.cer is not None:
                lines.append(
                    (
                        f"scanned CER, archief {who} vs {_short(peer)}",
                        f"{_fmt_cer(archief.cer_scanned)} vs {_fmt_cer(peer.cer)}",
                        f"<= {_short(peer)}",
                        _verdict(archief.cer_scanned <= peer.cer),
                    )
                )
        around = archief.pypdf_pages_per_s()
        if around is not None:
            ratio = archief.pages_per_s_digital / around
            lines.append(
                _target(
                    f"born-digital, archief {who} / raw pypdf around it",
                    ratio,
                    TARGET_DIGITAL_VS_PYPDF,
                )
            )
        elif pypdf:
            ratio = archief.pages_per_s_digital / pypdf.per_s
            lines.append(
                _target(f"born-digital, archief {who} / raw pypdf", ratio, TARGET_DIGITAL_VS_PYPDF)
            )
    for peer in ocrmypdfs:
        if tesseract is None:
            break
        lines.append(
            (
                f"peer check: raw tesseract / {_short(peer)}",
                f"{tesseract.per_min / peer.per_min:.2f}x",
                f"peer saw ~{PEER_TESSERACT_VS_OCRMYPDF:.1f}x",
                "info",
            )
        )
    if not lines:
        # Every peer skipped (--skip): a pipeline's figures have nothing to be held to.
        lines.append(("archief targets", "n/a", "", "no peer measured (see --skip)"))
    widths = [max(len(line[i]) for line in lines) for i in range(4)]
    for line in lines:
        print("  " + "  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip())


# --------------------------------------------------------------------------
# Preprocessing study
# --------------------------------------------------------------------------


def otsu_threshold(img: Image.Image) -> int:
    """Return the grey level that maximises between-class variance (Otsu, 1979)."""
    hist = np.bincount(np.asarray(img, dtype=np.uint8).ravel(), minlength=256).astype(np.float64)
    levels = np.arange(256, dtype=np.float64)
    weight0 = np.cumsum(hist)
    weight1 = weight0[-1] - weight0
    sum0 = np.cumsum(hist * levels)
    mean0 = sum0 / np.maximum(weight0, 1)
    mean1 = (sum0[-1] - sum0) / np.maximum(weight1, 1)
    between = weight0 * weight1 * (mean0 - mean1) ** 2
    return int(np.argmax(between))


def binarise(img: Image.Image) -> Image.Image:
    """Threshold at the Otsu level: ink black, paper white."""
    level = otsu_threshold(img)
    return img.point(lambda v: 255 if v > level else 0)


def estimate_skew(img: Image.Image, limit: float = 2.0, step: float = 0.05) -> float:
    """Return the counter-clockwise rotation (degrees) that makes the text lines level.

    For angles this small a rotation is, to within a pixel, a vertical shear, so
    each candidate is one bincount over the ink pixels of a quarter-size copy
    rather than a rotated image: some milliseconds for the whole search.
    """
    small = img.reduce(4)
    ink = np.asarray(small, dtype=np.uint8) <= otsu_threshold(small)
    ys, xs = np.nonzero(ink)
    if ys.size == 0:
        return 0.0
    best, best_score = 0.0, -1.0
    for angle in np.arange(-limit, limit + step / 2, step):
        rows = np.rint(ys - xs * math.tan(math.radians(angle))).astype(np.int64)
        profile = np.bincount(rows - rows.min()).astype(np.float64)
        score = float(np.square(np.diff(profile)).sum())
        if score > best_score:
            best, best_score = float(angle), score
    # Rows grow downwards, so the shear that levels the lines has the sign of the
    # counter-clockwise rotation (PIL's convention) that does the same.
    return best


def deskew(img: Image.Image, resample: Image.Resampling = Image.Resampling.NEAREST) -> Image.Image:
    """Rotate the page back by its estimated skew.

    Nearest-neighbour by default: measured on this corpus, bicubic resampling of
    an already blurred scan costs tesseract more characters than the skew did.
    """
    angle = estimate_skew(img)
    if abs(angle) < 0.05:
        return img
    return img.rotate(angle, resample=resample, fillcolor=255)


VARIANTS: dict[str, Callable[[Image.Image], Image.Image] | None] = {
    "none (the PDF's JPEG)": None,
    "median 3": lambda im: im.filter(ImageFilter.MedianFilter(3)),
    "autocontrast 1%": lambda im: ImageOps.autocontrast(im, cutoff=1),
    "Otsu binarisation": binarise,
    "deskew (nearest)": deskew,
    "deskew (bicubic)": lambda im: deskew(im, Image.Resampling.BICUBIC),
    "deskew (nearest) + Otsu": lambda im: binarise(deskew(im)),
}


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def preprocess_study(corpus_dir: Path, manifest: Manifest, work: Path) -> None:
    """Print raw-tesseract CER and cost with and without each preprocessing variant."""
    docs = manifest.of_kind("scanned")
    images_dir = work / "study-images"
    shutil.rmtree(images_dir, ignore_errors=True)
    images_dir.mkdir(parents=True)
    originals: list[Path] = []
    for doc in docs:
        originals.extend(extract_jpegs(corpus_dir / doc.path, images_dir))
    truths = [truth for doc in docs for truth in doc.pages]
    print(f"preprocessing study: raw tesseract on {len(originals)} scanned pages\n")
    # CPU seconds, not wall time, for the per-page costs: the figures must survive
    # a machine shared with other work.
    header = ("variant", "mean CER", "prep CPU ms/page", "tesseract CPU s/page", "pages/min")
    rows: list[tuple[str, ...]] = []
    for name, transform in VARIANTS.items():
        prep_s = 0.0
        inputs = originals
        if transform is not None:
            inputs = []
            for original in originals:
                start = time.process_time()
                with Image.open(original) as im:
                    dpi = im.info.get("dpi", (300, 300))
                    result = transform(im.convert("L"))
                prep_s += time.process_time() - start
                # PNG is lossless: tesseract sees exactly what the variant made.
                target = original.with_name(f"{original.stem}-{len(rows)}.png")
                result.save(target, dpi=dpi)
                inputs.append(target)
        cpu_before = _children_cpu_s()
        start = time.perf_counter()
        with ThreadPoolExecutor(TESSERACT_PROCS) as pool:
            texts = list(pool.map(tesseract_text, inputs))
        wall = time.perf_counter() - start
        cpu = _children_cpu_s() - cpu_before
        score = mean([cer(t, h) for t, h in zip(truths, texts, strict=True)])
        rows.append(
            (
                name,
                _fmt_cer(score),
                f"{prep_s * 1000 / len(inputs):.0f}",
                f"{cpu / len(inputs):.2f}",
                f"{len(inputs) / wall * 60:.1f}",
            )
        )
        print(f"  done: {name}", file=sys.stderr)
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for r in [header, *rows]:
        cells = [
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        ]
        print("  ".join(cells))


# --------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------

SYSTEMS = ("archief", "archief-http", "tesseract", "ocrmypdf", "pypdf")


def _at_least_one(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.ingest",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--scanned-pages", type=int, default=24, help="default: 24")
    parser.add_argument(
        "--digital-pages",
        type=int,
        default=1000,
        # Raw pypdf reads 200 pages in about 1.2 s, less than the CLI takes
        # to start: at that size the ratio measured start-up.
        help="default: 1000 (100 PDFs at the default --digital-size)",
    )
    parser.add_argument(
        "--digital-size",
        type=_at_least_one,
        default=DIGITAL_SIZES[0],
        # Per-document costs (a task, a sandbox child, a transaction, a bulk
        # request) weigh less on long documents: this shows how much.
        help=f"pages per born-digital PDF (default: {DIGITAL_SIZES[0]})",
    )
    parser.add_argument(
        "--workdir", type=Path, default=REPO_ROOT / "bench" / "out", help="default: bench/out"
    )
    parser.add_argument("--seed", type=int, default=20260414)
    parser.add_argument(
        "--warm-pages",
        type=int,
        default=1000,
        # Born-digital pages of another seed, ingested untimed into a dossier
        # of its own before each archive's runs (0: none).
        help="default: 1000 (0: measure a cold archive)",
    )
    parser.add_argument(
        "--skip",
        action="extend",
        nargs="+",
        choices=SYSTEMS,
        default=[],
        help="leave systems out (--skip tesseract ocrmypdf, or --skip a --skip b)",
    )
    parser.add_argument(
        "--preprocess-study",
        action="store_true",
        help="instead of the table: raw-tesseract CER per preprocessing variant",
    )
    return parser


def _warm_corpus(args: argparse.Namespace, manifest: Manifest) -> Path | None:
    """Warm Elasticsearch's JIT; the folder of other pages each archive reads first, if any."""
    warm_up_search(manifest)
    if not args.warm_pages:
        return None
    work: Path = args.workdir.resolve() / "warm-corpus"
    warm = build_corpus(
        work,
        scanned_pages=0,
        digital_pages=args.warm_pages,
        seed=args.seed + 1,
        digital_sizes=(args.digital_size,),
    )
    return work / "digital" if warm.docs else None


def main(argv: Sequence[str] | None = None) -> int:
    """Build the corpus, run every system on it, print the table and the targets."""
    args = _parser().parse_args(argv)

    work: Path = args.workdir.resolve()
    corpus_dir = work / "corpus"
    start = time.perf_counter()
    manifest = build_corpus(
        corpus_dir,
        scanned_pages=args.scanned_pages,
        digital_pages=args.digital_pages,
        seed=args.seed,
        digital_sizes=(args.digital_size,),
    )
    print(
        f"corpus: {manifest.pages('scanned')} scanned pages in "
        f"{len(manifest.of_kind('scanned'))} PDFs, {manifest.pages('digital')} born-digital "
        f"pages in {len(manifest.of_kind('digital'))} PDFs ({corpus_dir}, "
        f"{time.perf_counter() - start:.0f} s)"
    )
    # Wall-clock figures on a shared machine are only as good as its quiet.
    load = " ".join(f"{v:.1f}" for v in os.getloadavg())
    print(
        f"machine: {os.cpu_count()} cores, load average {load}; "
        f"tesseract OMP_THREAD_LIMIT=1 x {TESSERACT_PROCS}\n"
    )
    if args.preprocess_study:
        preprocess_study(corpus_dir, manifest, work)
        return 0

    skip = set(args.skip)
    scanned, digital = manifest.of_kind("scanned"), manifest.of_kind("digital")
    warm = _warm_corpus(args, manifest) if {"archief", "archief-http"} - skip else None
    # Two ways in, each measured upload → searchable in an archive of its own.
    pipelines: dict[str, PipelineRun] = {}
    for system, intake, label in (
        ("archief", "cli", "archief via CLI"),
        ("archief-http", "http", "archief via HTTP"),
    ):
        if system in skip:
            continue
        try:
            pipelines[label] = run_archief(
                corpus_dir,
                manifest,
                work=work,
                intake=intake,
                pypdf_around="pypdf" not in skip,
                warm=warm,
            )
        except PipelineUnavailable as exc:
            print(f"{label}: not available ({exc})")
    # With --scanned-pages 0 or --digital-pages 0 a peer has nothing to read.
    if not scanned:
        skip |= {"tesseract", "ocrmypdf"}
    if not digital:
        skip.add("pypdf")
    tesseract = run_tesseract(corpus_dir, scanned, work) if "tesseract" not in skip else None
    ocrmypdfs: list[Row] = []
    for release in RELEASES if "ocrmypdf" not in skip else ():
        try:
            ocrmypdfs.append(run_ocrmypdf(corpus_dir, scanned, work, release))
        except PeerUnavailable as exc:
            print(f"{release.system}: not available ({exc})")
    pypdf = run_pypdf(corpus_dir, digital) if "pypdf" not in skip else None

    n_scanned, n_digital = manifest.pages("scanned"), manifest.pages("digital")
    rows: list[Row] = []
    for label, run in pipelines.items() if n_scanned else ():
        peaks = " / ".join(f"{p:.0f}" for p in run.peak_rss_per_worker_mib)
        wall = n_scanned / run.pages_per_min_scanned * 60
        rows.append(Row(f"{label} (2 workers)", "scanned", n_scanned, wall, run.cer_scanned, peaks))
    rows += [r for r in (tesseract, *ocrmypdfs) if r]
    for label, run in pipelines.items() if n_digital else ():
        peaks = " / ".join(f"{p:.0f}" for p in run.peak_rss_per_worker_mib)
        wall = n_digital / run.pages_per_s_digital
        rows.append(Row(f"{label} (2 workers)", "digital", n_digital, wall, run.cer_digital, peaks))
    if pypdf:
        rows.append(pypdf)
    print()
    print_table(rows)
    print_startup(pipelines)
    print_warm_up(pipelines)
    print_around(pipelines)
    print_cpu(pipelines, pypdf, n_digital)
    print_targets(pipelines, tesseract, ocrmypdfs, pypdf)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
