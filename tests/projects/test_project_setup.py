"""Creating and configuring a project through the researcher's pages."""

from __future__ import annotations

from sqlalchemy import func, select

from annotate.models import InstructionsVersion, Project, ProjectMember, ProjectRole

GOOD = {
    "slug": "derm",
    "template": "pairwise",
    "title": "Dermatology pairs",
    "overlap": "3",
    "quota_per_expert": "",
    "max_active_leases": "2",
    "lease_seconds": "900",
    "required_expertise": "Medicine/Dermatology, law",
    "randomize_order": "on",
    "instructions": "# Read carefully\n\nPick the **better** reply.",
}


def test_researcher_creates_a_project_and_becomes_its_researcher(make_user, browser_for, session):
    researcher = make_user("researcher")
    web = browser_for(researcher)
    form = web.get("/projects/new")
    assert form.status_code == 200
    assert 'value="pairwise"' in form.text
    response = web.post("/projects/new", GOOD)
    assert response.status_code == 303
    assert response.headers["Location"] == "/p/derm/settings"
    project = session.scalar(select(Project).where(Project.slug == "derm"))
    assert (project.title, project.overlap, project.max_active_leases, project.lease_seconds) == (
        "Dermatology pairs",
        3,
        2,
        900,
    )
    assert project.required_expertise == ["medicine/dermatology", "law"]
    assert project.randomize_order is True
    assert project.quota_per_expert is None
    assert project.instructions.startswith("# Read carefully")
    member = session.scalar(select(ProjectMember).where(ProjectMember.project_id == project.id))
    assert member.user_id == researcher.id
    assert member.role is ProjectRole.RESEARCHER
    page = web.get("/p/derm/settings")
    assert page.status_code == 200
    assert "Created project Dermatology pairs" in page.text
    assert '<h1 dir="auto">Read carefully</h1>' in page.text  # the preview of the saved instructions


def test_bad_input_names_the_field_and_writes_nothing(make_user, browser_for, session):
    web = browser_for(make_user("researcher"))
    for field, value, message in [
        ("slug", "Bad Slug", "slug:"),
        ("overlap", "0", "overlap: must be between 1 and 100"),
        ("lease_seconds", "ten", "is not a whole number"),
        ("required_expertise", "no spaces allowed", "required_expertise:"),
        ("template", "nope", "no template named"),
        ("title", "  ", "title: is required"),
    ]:
        response = web.post("/projects/new", {**GOOD, field: value})
        assert response.status_code == 422, field
        assert message in response.text, (field, response.text)
    assert session.scalar(select(func.count()).select_from(Project)) == 0


def test_experts_cannot_create_projects_or_preview(make_user, browser_for):
    web = browser_for(make_user("expert"))
    assert web.get("/projects/new").status_code == 403
    assert web.post("/projects/new", GOOD).status_code == 403
    assert web.post("/projects/preview?field=instructions", {"instructions": "x"}).status_code == 403
    assert 'href="/projects"' not in web.get("/").text
    assert web.get("/projects").status_code == 403


def test_preview_renders_markdown_safely_as_a_fragment(make_user, browser_for):
    web = browser_for(make_user("researcher"))
    response = web.post(
        "/projects/preview?field=instructions",
        {"instructions": "**bold** <script>alert(1)</script> <img src=x onerror=alert(1)>"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "<strong>bold</strong>" in response.text
    assert "<script" not in response.text
    assert "<img" not in response.text
    assert "<html" not in response.text
    assert "hx-disable" in response.text
    assert web.post("/projects/preview?field=other", {}).status_code == 400
    assert web.client.post("/projects/preview?field=terms", data={"terms": "x"}).status_code == 400  # no CSRF token


def test_settings_update_and_validation(make_user, make_project, browser_for, session):
    researcher = make_user("researcher")
    project = make_project("p1", members=[(researcher, "researcher")])
    web = browser_for(researcher)
    form = {**GOOD, "title": "Renamed", "overlap": "2", "quota_per_expert": "40", "randomize_order": ""}
    form.pop("randomize_order")
    response = web.post("/p/p1/settings", form)
    assert response.status_code == 303
    session.refresh(project)
    assert (project.title, project.overlap, project.quota_per_expert, project.randomize_order) == (
        "Renamed",
        2,
        40,
        False,
    )
    assert "Settings saved" in web.get("/p/p1/settings").text

    bad = web.post("/p/p1/settings", {**form, "max_active_leases": "1000"})
    assert bad.status_code == 422
    assert "max_active_leases: must be between 1 and 100" in bad.text
    session.refresh(project)
    assert project.max_active_leases == 2


def test_an_instructions_edit_adds_a_version_and_keeps_the_old(make_user, make_project, browser_for, session):
    researcher = make_user("researcher")
    project = make_project("p2", members=[(researcher, "researcher")], instructions="Version one")
    web = browser_for(researcher)
    assert web.post("/p/p2/instructions", {"instructions": "Version two"}).status_code == 303
    assert web.post("/p/p2/instructions", {"instructions": "Version two"}).status_code == 303  # unchanged: no version
    session.expire_all()
    versions = session.scalars(
        select(InstructionsVersion.body)
        .where(InstructionsVersion.project_id == project.id)
        .order_by(InstructionsVersion.version)
    ).all()
    assert versions == ["Version one", "Version two"]
    assert session.get(Project, project.id).instructions_version == 2
    assert "The instructions are unchanged" in web.get("/p/p2/settings").text


def test_project_experts_cannot_configure(make_user, make_project, browser_for):
    expert = make_user("expert")
    make_project("p3", members=[(expert, "expert")])
    web = browser_for(expert)
    assert web.get("/p/p3").status_code == 200
    for url in ("/p/p3/settings", "/p/p3/members", "/p/p3/progress", "/p/p3/items"):
        assert web.get(url).status_code == 404, url
    assert web.post("/p/p3/settings", GOOD).status_code == 404


def test_manage_lists_only_the_projects_a_researcher_runs(make_user, make_project, browser_for):
    researcher, admin = make_user("researcher"), make_user("admin")
    make_project("runs", title="I run this", members=[(researcher, "researcher")])
    make_project("works", title="I only judge here", members=[(researcher, "expert")])
    make_project("other", title="Not mine at all")
    page = browser_for(researcher).get("/projects")
    assert "I run this" in page.text
    assert "I only judge here" not in page.text
    assert "Not mine at all" not in page.text
    everything = browser_for(admin).get("/projects").text
    assert all(t in everything for t in ("I run this", "I only judge here", "Not mine at all"))


def test_a_project_can_use_an_uploaded_template(app, make_user, browser_for, session):
    import json
    from pathlib import Path

    from annotate.kinds.uploads import upload_template

    researcher = make_user("researcher")
    templates_dir = Path(app.config["TEMPLATES_DIR"])
    document = json.loads((templates_dir / "pairwise.json").read_text())
    document.pop("$schema", None)
    document["title"] = "Lab pairwise"
    upload_template(session, "lab-pairwise", document, templates_dir, researcher)
    session.commit()
    web = browser_for(researcher)
    assert "Lab pairwise (lab-pairwise, pairwise, v" in web.get("/projects/new").text
    assert web.post("/projects/new", {**GOOD, "template": "lab-pairwise"}).status_code == 303
    assert session.scalar(select(Project.template_name).where(Project.slug == "derm")) == "lab-pairwise"
