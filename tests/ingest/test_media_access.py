"""Media files imported with a project are served to its members and admins only."""

from __future__ import annotations

from pathlib import Path

import orjson
from helpers import Browserless
from sqlalchemy import select

from annotate.ingest import ImportOptions, import_file
from annotate.ingest.shapes.mapping import parse_mapping
from annotate.models import Item

PNG = b"\x89PNG\r\n\x1a\n fake image"


def _import_with_image(session, app, project, tmp_path: Path) -> str:
    """Import one row whose prompt carries an image next to the source; return its URL."""
    (tmp_path / "img").mkdir(exist_ok=True)
    (tmp_path / "img" / "scan.png").write_bytes(PNG)
    source = tmp_path / f"{project.slug}.jsonl"
    source.write_bytes(
        orjson.dumps({"question": "What does the scan show?", "image": "img/scan.png", "a": "x", "b": "y"}) + b"\n"
    )
    mapping = parse_mapping(["prompt=question", "media=image", "responses=a,b"])
    import_file(
        session, project, source, options=ImportOptions(mapping=mapping), media_store=Path(app.instance_path) / "media"
    )
    item = session.scalars(select(Item).where(Item.project_id == project.id)).one()
    return item.prompt[-1]["media"]["src"]


def _client(app, user) -> Browserless:
    web = Browserless(app.test_client())
    web.login(user.email)
    return web


def test_a_projects_media_is_served_to_its_members_and_admins_only(app, session, make_user, make_project, tmp_path):
    member, outsider, admin = make_user("expert"), make_user("expert"), make_user("admin")
    project = make_project("derm", members=[(member, "expert")])
    other = make_project("other", members=[(outsider, "expert")])
    url = _import_with_image(session, app, project, tmp_path)
    assert url.startswith(f"/media/{project.id}/")
    assert url.endswith(".png")

    response = _client(app, member).get(url)
    assert response.status_code == 200
    assert response.data == PNG
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert "private" in response.headers["Cache-Control"]
    assert "public" not in response.headers["Cache-Control"]
    assert _client(app, admin).get(url).status_code == 200

    # Another project's expert knows the URL: nothing, and nothing through their own project's id either.
    outsider_web = _client(app, outsider)
    assert outsider_web.get(url).status_code == 404
    assert outsider_web.get(url.replace(f"/media/{project.id}/", f"/media/{other.id}/")).status_code == 404

    # Signed out: sent to sign in, no bytes.
    anonymous = app.test_client().get(url)
    assert anonymous.status_code in (302, 303)
    assert PNG not in anonymous.data


def test_names_that_are_not_issued_are_refused(app, session, make_user, make_project, tmp_path):
    member = make_user("expert")
    project = make_project("derm", members=[(member, "expert")])
    _import_with_image(session, app, project, tmp_path)
    web = _client(app, member)
    for name in ("..%2F..%2Fsecret.png", "README.md", "0" * 64 + ".exe.png"):
        assert web.get(f"/media/{project.id}/{name}").status_code == 404
