# SPDX-License-Identifier: EUPL-1.2
"""Which Tesseract languages the pipeline should load, decided by measurement.

`python -m bench.talen` runs raw tesseract (OMP_THREAD_LIMIT=1, a pool of two,
as in bench.ingest) on page images binarised exactly as the pipeline does
(ingest.preprocess.binarize), once with `-l nld` and once with `-l nld+eng`,
on two sets of degraded 300 dpi scans:

- **Dutch**: the scanned pages of the ingest bench's corpus (bench/out/corpus,
  built if missing);
- **mixed**: pages generated here in the same way whose text is half Dutch,
  half English (a municipality writes to and receives from European partners,
  consultants and funds in English).

It prints the mean CER and the tesseract CPU seconds per page for each, so
the cost of the English model is weighed against what it buys on English
text. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PIL import ImageFont

from bench.corpus import (
    FONT_DIR,
    Degradation,
    Manifest,
    build_corpus,
    degrade,
    dutch_document,
    ground_truth,
    page_geometry,
    render_page,
    wrap,
)
from bench.ingest import cer, extract_jpegs, mean
from ingest.preprocess import binarize

PROCS = 2
ENGLISH = (
    "The municipality of Groningen submitted the proposal to the European Regional "
    "Development Fund in March.",
    "Our partners in the Interreg North Sea Region programme reviewed the budget and the planning.",
    "Please find attached the final report of the smart city pilot, including the "
    "evaluation of the sensors.",
    "The consultant recommends a phased approach: design, tender, construction and maintenance.",
    "All stakeholders were invited to the workshop on climate adaptation and water management.",
    "We kindly request you to confirm the figures before the steering committee meets next week.",
    "The grant agreement requires quarterly progress reports and an independent audit.",
    "Residents raised concerns about traffic safety, noise and the loss of green space.",
    "The tender documents state that the contractor is liable for delays beyond thirty "
    "working days.",
    "According to the feasibility study, the heat network can serve four thousand homes.",
)
LANGUAGES = ("nld", "nld+eng")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _tesseract(image: Path, languages: str) -> str:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    done = subprocess.run(
        ["tesseract", str(image), "-", "-l", languages],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    return done.stdout


def _mixed_pages(work: Path, count: int, seed: int) -> tuple[list[Path], list[str]]:
    """Degraded scans of pages that alternate Dutch and English paragraphs."""
    rng = random.Random(seed)
    per_page, width = page_geometry()
    font = ImageFont.truetype(str(FONT_DIR / "DejaVuSans.ttf"), round(11 / 72 * 300))
    images, truths = [], []
    for n in range(count):
        dutch = iter(dutch_document(rng, rng.choice(["besluitnota", "verslag", "brief"])))
        lines: list[str] = []
        while len(lines) < per_page:
            paragraph = next(dutch, "") if len(lines) % 2 == 0 else " ".join(rng.sample(ENGLISH, 2))
            lines.extend(wrap(paragraph, width, font.getlength))
            lines.append("")
        lines = lines[:per_page]
        page = degrade(render_page(lines), Degradation.random(rng), seed + n)
        path = work / f"mixed-{n:03d}.jpg"
        path.write_bytes(page.data)
        images.append(path)
        truths.append(ground_truth(lines))
    return images, truths


def _measure(images: Sequence[Path], truths: Sequence[str], languages: str) -> tuple[float, float]:
    before = _children_cpu()
    with ThreadPoolExecutor(PROCS) as pool:
        texts = list(pool.map(lambda p: _tesseract(p, languages), images))
    cpu = (_children_cpu() - before) / len(images)
    return mean([cer(t, h) for t, h in zip(truths, texts, strict=True)]), cpu


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=Path("bench/out"))
    parser.add_argument("--mixed-pages", type=int, default=8)
    parser.add_argument("--seed", type=int, default=20261123)
    args = parser.parse_args(argv)
    corpus = args.workdir / "corpus"
    # The ingest bench's defaults: the same Dutch pages it measures (reused if built).
    manifest = (
        Manifest.load(corpus)
        if (corpus / "manifest.json").exists()
        else build_corpus(corpus, scanned_pages=24, digital_pages=200)
    )
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        sets: dict[str, tuple[list[Path], list[str]]] = {}
        dutch_images: list[Path] = []
        docs = manifest.of_kind("scanned")
        for doc in docs:
            dutch_images.extend(extract_jpegs(corpus / doc.path, work))
        sets["Dutch"] = (dutch_images, [t for doc in docs for t in doc.pages])
        sets["mixed nl/en"] = _mixed_pages(work, args.mixed_pages, args.seed)
        print(f"tesseract languages, on pages binarised as the pipeline does ({PROCS} procs)\n")
        header = ("pages", "languages", "mean CER", "tesseract CPU s/page")
        rows: list[tuple[str, str, str, str]] = []
        for name, (images, truths) in sets.items():
            bw_dir = work / f"bw-{len(rows)}"
            bw_dir.mkdir()
            binary = [binarize(p, bw_dir) for p in images]
            for languages in LANGUAGES:
                score, cpu = _measure(binary, truths, languages)
                rows.append(
                    (f"{name} ({len(binary)})", languages, f"{score * 100:.2f} %", f"{cpu:.2f}")
                )
                print(f"  done: {name} {languages}", file=sys.stderr)
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for r in [header, *rows]:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    print(f"\n({time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
