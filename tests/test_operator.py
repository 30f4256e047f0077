"""What an operator sees (issue 17): short error lines and one advice block, a truthful tally,
the digest for readers, cron-friendly feed runs, logging, progress and pipes."""

from __future__ import annotations

import json
import re

from support.cli import invoke

from translate_pipeline.outputs.digest import write_digest


def _record(folder, article_id, title, **metadata):
    record = {"id": article_id, "source": f"{article_id}.txt", "title": title,
              "language": {"code": "de", "confidence": 1.0, "method": "langdetect"},
              "languages": {"de": {"title": title, "text": title, "summary": [title]}}}
    if metadata:
        record["metadata"] = metadata
    (folder / f"{article_id}.json").write_text(json.dumps(record), encoding="utf-8")


def test_digest_lists_newest_first_undated_last_with_readable_dates(tmp_path):
    _record(tmp_path, "a-undated", "Ohne Datum A")
    _record(tmp_path, "b-old", "Alt", date="2023-12-31")
    _record(tmp_path, "c-new", "Neu", published="2024-05-14T09:30:00Z")
    _record(tmp_path, "d-rfc", "Mittel", published="Tue, 14 May 2024 08:00:00 +0200")
    _record(tmp_path, "e-unreadable", "Unlesbar", date="sometime in May")
    _record(tmp_path, "f-day", "Tag", date="2024-05-14")
    page = write_digest(tmp_path).read_text(encoding="utf-8")
    order = re.findall(r'<article class="item" id="a-([^"]+)"', page)
    # 09:30 UTC, then 06:00 UTC (08:00 +0200), then the day itself (its midnight), then 2023;
    # undated (and unreadable) ones last, by id
    assert order == ["c-new", "d-rfc", "f-day", "b-old", "a-undated", "e-unreadable"]
    assert '<time datetime="2024-05-14T09:30:00Z">14 May 2024, 09:30 UTC</time>' in page
    assert '<time datetime="2024-05-14T06:00:00Z">14 May 2024, 06:00 UTC</time>' in page
    assert '>31 December 2023</time>' in page
    assert "sometime in May" in page  # shown as it is, when it cannot be read
