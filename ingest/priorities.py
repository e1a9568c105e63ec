# SPDX-License-Identifier: EUPL-1.2
"""The order in which workers take tasks: Redis serves a queue's lower numbers first.

kombu's Redis transport keeps a list per step (0, 3, 6, 9); a task sent
without a priority goes to 0. Every archief task names its step:

- 0, the path to searchable: an extraction, and the finalize that indexes a
  content whose last page is read. Short, and a record must be searchable
  within seconds of its OCR finishing (ingest.worker has the history).
- 3, scheduled work: the social media poll (a post can be deleted before the
  next poll), due destruction, the fixity run and the publication reminders.
  They run when the schedule says, not when an OCR backlog allows; each run
  is bounded (an account's new posts, a night's `limiet` of originals), and
  a worker busy with one is one process of many.
- 6, OCR: the bulk of the work, a page a task.
- 9, thumbnails: only when no upload waits to become searchable.

Priority only orders what waits: a task that runs is never interrupted.
"""

from __future__ import annotations

from typing import Final

INDEX_PRIORITY: Final = 0
SCHEDULED_PRIORITY: Final = 3
OCR_PRIORITY: Final = 6
THUMBNAIL_PRIORITY: Final = 9
