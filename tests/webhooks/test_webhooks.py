"""Webhooks end to end, against a real HTTP receiver on 127.0.0.1 (the only address the test
app allows): registering (the secret shown once), the events, the signature a receiver
checks, the delivery log, retries and re-sending, and the targets that are refused."""

from __future__ import annotations

import ipaddress
import time

import orjson
import pytest
from helpers import Browserless, pair_rows

from annotate.webhooks import http as webhook_http
from annotate.webhooks.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify

EVENTS = ["batch.imported", "item.complete", "project.complete", "judgment.submitted"]


@pytest.fixture
def team(make_user, make_project, make_token):
    researcher, expert = make_user("researcher"), make_user("expert")
    project = make_project("hooks", overlap=1, members=[(researcher, "researcher"), (expert, "expert")])
    return {
        "project": project,
        "researcher": researcher,
        "as_researcher": {"Authorization": f"Bearer {make_token(researcher)}"},
        "as_expert": {"Authorization": f"Bearer {make_token(expert)}"},
    }


def _register(client, team, url, events=EVENTS):
    answer = client.post(
        "/api/v1/projects/hooks/webhooks", json={"url": url, "events": events}, headers=team["as_researcher"]
    )
    assert answer.status_code == 201, answer.text
    return answer.get_json()


def _judge_next(client, team):
    lease = client.post("/api/v1/projects/hooks/assignments", headers=team["as_expert"]).get_json()
    done = client.post(lease["judgment_url"], json={"answers": {"preferred": "r1"}}, headers=team["as_expert"])
    assert done.status_code == 201, done.text


def test_events_are_delivered_signed_and_logged(client, team, receiver):
    hook = _register(client, team, receiver.url)
    assert hook["secret"].startswith("whsec_")
    listed = client.get("/api/v1/projects/hooks/webhooks", headers=team["as_researcher"]).get_json()
    assert "secret" not in listed["webhooks"][0], "the secret is shown once"

    imported = client.post("/api/v1/projects/hooks/items", json={"items": pair_rows(2)}, headers=team["as_researcher"])
    assert imported.status_code == 201
    _judge_next(client, team)
    _judge_next(client, team)

    assert receiver.events() == [
        "batch.imported",
        "judgment.submitted",
        "item.complete",
        "judgment.submitted",
        "item.complete",
        "project.complete",
    ]
    for delivery in receiver.deliveries:
        timestamp = delivery.headers[TIMESTAMP_HEADER]
        assert abs(time.time() - int(timestamp)) < 60
        assert verify(hook["secret"], timestamp, delivery.body, delivery.headers[SIGNATURE_HEADER], time.time())
        # A receiver refuses a replay outside the window, or a body changed in transit.
        assert not verify(
            hook["secret"], timestamp, delivery.body, delivery.headers[SIGNATURE_HEADER], time.time() + 3600
        )
        assert not verify(
            hook["secret"], timestamp, delivery.body + b" ", delivery.headers[SIGNATURE_HEADER], time.time()
        )
    batch = orjson.loads(receiver.deliveries[0].body)
    assert (batch["event"], batch["project"]["slug"], batch["data"]["batch"]["new"]) == ("batch.imported", "hooks", 2)
    assert orjson.loads(receiver.deliveries[-1].body)["data"] == {"items": 2, "overlap": 1}

    log = client.get(f"/api/v1/projects/hooks/webhooks/{hook['id']}/deliveries", headers=team["as_researcher"])
    deliveries = log.get_json()["deliveries"]
    assert len(deliveries) == 6
    assert {(d["status"], d["attempts"], d["response_code"]) for d in deliveries} == {("delivered", 1, 200)}


def test_only_the_chosen_events_are_sent(client, team, receiver):
    _register(client, team, receiver.url, events=["project.complete"])
    client.post("/api/v1/projects/hooks/items", json={"items": pair_rows(1)}, headers=team["as_researcher"])
    _judge_next(client, team)
    assert receiver.events() == ["project.complete"]


def test_a_failed_delivery_is_logged_and_can_be_sent_again(client, team, receiver):
    receiver.answers = [500]
    hook = _register(client, team, receiver.url, events=["batch.imported"])
    client.post("/api/v1/projects/hooks/items", json={"items": pair_rows(1)}, headers=team["as_researcher"])
    url = f"/api/v1/projects/hooks/webhooks/{hook['id']}/deliveries"
    (delivery,) = client.get(url, headers=team["as_researcher"]).get_json()["deliveries"]
    assert (delivery["status"], delivery["attempts"], delivery["response_code"]) == ("retrying", 1, 500)
    assert "HTTP 500" in delivery["last_error"]

    resent = client.post(f"{url}/{delivery['id']}/resend", headers=team["as_researcher"])
    assert resent.status_code == 202
    (delivery,) = client.get(url, headers=team["as_researcher"]).get_json()["deliveries"]
    assert (delivery["status"], delivery["attempts"], delivery["response_code"]) == ("delivered", 2, 200)
    first, second = receiver.deliveries
    assert first.body == second.body
    assert first.headers["X-Annotate-Delivery"] == second.headers["X-Annotate-Delivery"]


def test_a_redirect_to_a_private_address_is_refused_on_that_hop(client, team, receiver):
    receiver.answers = [(302, "http://169.254.169.254/latest/meta-data/")]
    hook = _register(client, team, receiver.url, events=["batch.imported"])
    client.post("/api/v1/projects/hooks/items", json={"items": pair_rows(1)}, headers=team["as_researcher"])
    url = f"/api/v1/projects/hooks/webhooks/{hook['id']}/deliveries"
    (delivery,) = client.get(url, headers=team["as_researcher"]).get_json()["deliveries"]
    assert delivery["status"] == "failed"
    assert "link-local" in delivery["last_error"]
    assert len(receiver.deliveries) == 1  # the second hop was never called


def test_a_redirect_to_an_allowed_address_is_followed(client, team, receiver):
    receiver.answers = [(307, receiver.url.replace("/hook", "/moved"))]
    _register(client, team, receiver.url, events=["batch.imported"])
    client.post("/api/v1/projects/hooks/items", json={"items": pair_rows(1)}, headers=team["as_researcher"])
    assert [d.path for d in receiver.deliveries] == ["/hook", "/moved"]
    assert receiver.deliveries[0].body == receiver.deliveries[1].body


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://10.0.0.5/hook", "private"),
        ("http://169.254.169.254/latest", "link-local"),
        ("http://127.0.0.2:8080/", "loopback"),
        ("http://[::1]:8080/", "loopback"),
        ("http://[::ffff:10.0.0.1]/", "private"),
        ("http://100.64.0.1/", "non-public"),
        ("ftp://example.org/x", "http:// or https://"),
        ("http://user:pw@example.org/", "user name"),
        ("not a url", "http:// or https://"),
    ],
)
def test_targets_that_are_not_public_are_refused_next_to_the_field(client, team, receiver, url, words):
    web = Browserless(client)
    web.login(team["researcher"].email)
    page = web.post("/p/hooks/settings/webhooks", {"url": url, "events": ["batch.imported"]})
    assert page.status_code == 422
    assert words in page.text
    assert 'aria-invalid="true"' in page.text
    assert "whsec_" not in page.text
    api = client.post(
        "/api/v1/projects/hooks/webhooks",
        json={"url": url, "events": ["batch.imported"]},
        headers=team["as_researcher"],
    )
    assert (api.status_code, api.get_json()["field"]) == (422, "url")
    assert client.get("/api/v1/projects/hooks/webhooks", headers=team["as_researcher"]).get_json()["webhooks"] == []


def test_the_page_registers_an_endpoint_shows_its_secret_once_and_pings_it(client, team, receiver):
    web = Browserless(client)
    web.login(team["researcher"].email)
    made = web.post("/p/hooks/settings/webhooks", {"url": receiver.url, "events": ["batch.imported", "export.ready"]})
    assert made.status_code == 201
    assert "whsec_" in made.text
    again = web.get("/p/hooks/settings/webhooks")
    assert receiver.url in again.text
    assert "whsec_" not in again.text
    hook_id = client.get("/api/v1/projects/hooks/webhooks", headers=team["as_researcher"]).get_json()["webhooks"][0][
        "id"
    ]
    pinged = web.post(f"/p/hooks/settings/webhooks/{hook_id}/ping")
    assert pinged.status_code == 303
    shown = web.get(f"/p/hooks/settings/webhooks/{hook_id}")
    assert 'data-delivery-status="delivered"' in shown.text
    assert receiver.events() == ["ping"]
    # Paused, it receives nothing; removed, it is gone.
    assert web.post(f"/p/hooks/settings/webhooks/{hook_id}/active", {"active": "0"}).status_code == 303
    client.post("/api/v1/projects/hooks/items", json={"items": pair_rows(1)}, headers=team["as_researcher"])
    assert receiver.events() == ["ping"]
    assert web.post(f"/p/hooks/settings/webhooks/{hook_id}/delete").status_code == 303
    assert web.get(f"/p/hooks/settings/webhooks/{hook_id}").status_code == 404


def test_every_refused_address_kind_is_named():
    refusal = webhook_http._refusal
    assert refusal(ipaddress.ip_address("8.8.8.8")) is None
    assert refusal(ipaddress.ip_address("2606:4700:4700::1111")) is None
    assert refusal(ipaddress.ip_address("fe80::1")) == "a link-local"
    assert refusal(ipaddress.ip_address("fd00::1")) == "a private"
    assert refusal(ipaddress.ip_address("::ffff:127.0.0.1")) == "a loopback"
    assert refusal(ipaddress.ip_address("0.0.0.0")) is not None
    assert refusal(ipaddress.ip_address("224.0.0.1")) == "a multicast"
