"""A name, email, project title or label holding U+202E (RIGHT-TO-LEFT OVERRIDE) cannot
reverse the text beside it (issue 12, hole 11): every place a page shows one, it sits inside
its own ``<bdi>``, so the override ends where the user's text ends."""

from __future__ import annotations

from html.parser import HTMLParser

from helpers import Browserless, pair_rows

RLO = "\u202e"
NAME = f"Eve {RLO}gnp.exe"
TITLE = f"Trial {RLO}lanigiro"


class _Isolation(HTMLParser):
    """Records every text node holding U+202E and whether a <bdi> (or <title>, <option>,
    <textarea>, where markup is not possible and nothing is beside it) encloses it."""

    TEXT_ONLY = frozenset({"title", "option", "textarea", "script", "style"})
    VOID = frozenset(
        {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
    )

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.bare: list[str] = []
        self.isolated = 0

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass

    def handle_data(self, data):
        if RLO not in data:
            return
        if "bdi" in self.stack or self.TEXT_ONLY & set(self.stack):
            self.isolated += 1
        else:
            self.bare.append(f"{'>'.join(self.stack[-3:])}: {data.strip()[:60]!r}")


def _check(html: str) -> int:
    parser = _Isolation()
    parser.feed(html)
    assert parser.bare == [], "user text with U+202E outside <bdi>:\n" + "\n".join(parser.bare)
    return parser.isolated


def test_names_emails_titles_and_labels_are_isolated(app, session, make_user, make_project, import_rows):
    expert = make_user("expert", email=f"eve{RLO}@example.org", name=NAME)
    researcher = make_user("researcher", name=f"Rob {RLO}rehcraeser")
    admin = make_user("admin")
    project = make_project("bidi", title=TITLE, members=[(expert, "expert"), (researcher, "researcher")])
    import_rows(project, pair_rows(2))

    web = Browserless(app.test_client())
    web.login(expert.email)
    seen = 0
    claim = web.post("/p/bidi/next")
    task_url = claim.headers["Location"]
    for url in ("/", "/p/bidi", task_url, "/p/bidi/history", "/profile"):
        response = web.get(url, follow_redirects=True)
        assert response.status_code == 200, url
        seen += _check(response.text)

    web = Browserless(app.test_client())
    web.login(researcher.email)
    for url in ("/projects", "/p/bidi/progress", "/p/bidi/members", "/p/bidi/items", "/p/bidi/exports"):
        response = web.get(url)
        assert response.status_code == 200, url
        seen += _check(response.text)

    web = Browserless(app.test_client())
    web.login(admin.email)
    seen += _check(web.get("/admin/users").text)
    assert seen >= 15  # the check ran on real occurrences


def test_the_filter_escapes_and_isolates(app):
    with app.app_context():
        bdi = app.jinja_env.filters["bdi"]
        assert str(bdi("<b>x</b>")) == "<bdi>&lt;b&gt;x&lt;/b&gt;</bdi>"
        assert str(bdi(None)) == "<bdi></bdi>"
