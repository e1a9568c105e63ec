# SPDX-License-Identifier: EUPL-1.2
"""Finding posts and media files in an export on disk; paths from the export stay inside it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archief.bewaring.sociaal import Media, OngeldigeExport
from archief.bewaring.sociaal.bronnen import ExportNietGevonden, open_export
from tests.bewaring.sociaal import exporten


def test_a_twitter_archive_names_its_account_and_media(tmp_path: Path) -> None:
    t = exporten.tag()
    archief = exporten.twitter_archief(tmp_path / "a", t)
    for given in (archief.root, archief.root / "data" / "tweets.js"):
        export = open_export("twitter", given)
        assert export.account == archief.account
        assert export.voorbereid() == 4
        posts = {b.platform_id: b for b in export.berichten()}
        root, reply, reply2, video = archief.ids
        # tweets.js lists the replies first; the first pass still finds their root.
        assert posts[reply2].gesprek == posts[reply].gesprek == root
        photo = export.media(posts[root], posts[root].media[0])
        assert photo == archief.foto.resolve()
        assert export.media(posts[video], posts[video].media[0]) is None


def test_missing_account_and_missing_files_are_refused(tmp_path: Path) -> None:
    archief = exporten.twitter_archief(tmp_path / "a", exporten.tag(), met_account_js=False)
    with pytest.raises(ExportNietGevonden, match="--account"):
        open_export("twitter", archief.root)
    assert open_export("twitter", archief.root, account="iemand").account == "iemand"
    with pytest.raises(ExportNietGevonden, match="--account"):
        open_export("facebook", tmp_path)
    with pytest.raises(ExportNietGevonden):
        open_export("mastodon", tmp_path)
    with pytest.raises(ExportNietGevonden):
        open_export("feed", tmp_path / "er-niet")
    with pytest.raises(ExportNietGevonden):
        open_export("myspace", tmp_path)


def test_media_paths_from_the_export_never_leave_it(tmp_path: Path) -> None:
    t = exporten.tag()
    secret = tmp_path / "geheim.txt"
    secret.write_text("niet voor het archief")
    root = tmp_path / "fb"
    posts_file, _posts = exporten.facebook_export(root, t)
    (root / "posts" / "media" / "link.png").symlink_to(secret)
    export = open_export("facebook", root, account="Gemeente")
    post = next(iter(export.berichten()))
    for uri in (
        "../geheim.txt",
        "posts/../../geheim.txt",
        str(secret),
        "posts/media/link.png",
        "posts/media",
        "posts/\x00x",
    ):
        assert export.media(post, Media(url=uri, naam=uri)) is None, uri
    assert export.media(post, post.media[0]) is not None
    assert posts_file.exists()


def test_a_broken_file_is_reported_and_the_next_file_still_read(tmp_path: Path) -> None:
    t = exporten.tag()
    archief = exporten.twitter_archief(tmp_path / "a", t)
    data = archief.root / "data"
    (data / "tweets.js").rename(data / "tweets-part1.js")
    # A second part of the archive, cut off in its first post.
    (data / "tweets.js").write_text('window.YTD.tweets.part0 = [{"tweet": {"id_str": "1"')
    export = open_export("twitter", archief.root)
    fouten: list[OngeldigeExport] = []
    read = [b.platform_id for b in export.berichten(fouten.append)]
    assert sorted(read) == sorted(archief.ids)
    assert [f.bron for f in fouten] == ["data/tweets.js"]
    with pytest.raises(OngeldigeExport):
        list(export.berichten())


def test_account_js_that_is_not_json_is_ignored(tmp_path: Path) -> None:
    archief = exporten.twitter_archief(tmp_path / "a", exporten.tag(), met_account_js=False)
    (archief.root / "data" / "account.js").write_text("window.YTD.account.part0 = [{")
    with pytest.raises(ExportNietGevonden):
        open_export("twitter", archief.root)
    (archief.root / "data" / "account.js").write_text(json.dumps([{"account": {}}]))
    with pytest.raises(ExportNietGevonden):
        open_export("twitter", archief.root)
