"""The commitment flow on SQLite and on PostgreSQL (row locks, the visibility subquery, aware times)."""

from datetime import timedelta

from fastapi.testclient import TestClient

from server.app import create_app
from server.timeutil import utcnow
from tests.factories import make_world
from tests.server.sync.helpers import Device
from tests.server.year.factories import ITEMS
from tests.signin import bearer

BASE = "/api/v1/year/commitments"


def test_register_offline_return_approve_and_results_on_both_engines(any_settings):
    app = create_app(any_settings, migrate=False)
    with TestClient(app) as client:
        with app.state.db.transaction() as s:
            w = make_world(s)
        member, sec, staff = (bearer(client, p) for p in (w.member, w.secretary, w.staff))
        device, leader = Device(client, member), Device(client, sec)
        acted = utcnow() - timedelta(hours=3)
        pushed = client.post("/api/v1/sync/push", headers=member, json={"actions": [
            {"client_id": "cam-ket-engine-1", "type": "commitment.save", "made_at": acted.isoformat(),
             "payload": {"year": 2027, "items": ITEMS, "submit": True}}]}).json()["results"][0]
        assert pushed["status"] == "applied", pushed
        cid = pushed["result"]["commitment_id"]
        back = client.post(f"{BASE}/{cid}/decision", json={"approve": False, "comment": "Cần cụ thể hơn"},
                           headers=sec)
        assert back.status_code == 200 and back.json()["status"] == "returned"
        edited = client.patch(f"{BASE}/{cid}", json={"items": ITEMS[:2]}, headers=member)
        assert edited.status_code == 200, edited.text
        assert client.post(f"{BASE}/{cid}/submit", headers=member).json()["status"] == "submitted"
        done = client.post(f"{BASE}/{cid}/decision", json={"approve": True}, headers=sec).json()
        item = done["items"][0]["id"]
        assert client.put(f"{BASE}/{cid}/results", json={"results": [{"item_id": item, "result": "Xong"}]},
                          headers=member).status_code == 200
        assert client.put(f"{BASE}/{cid}/remarks", json={"remarks": [{"item_id": item, "remark": "Tốt"}]},
                          headers=sec).status_code == 200
        listed = client.get(BASE, params={"org_id": w.district.id, "year": 2027}, headers=staff).json()
        assert [c["id"] for c in listed["items"]] == [cid]
        assert client.get(f"{BASE}/{cid}", headers=bearer(client, w.other_member)).status_code == 404
        device.pull()
        leader.pull()
        for held in (device.of_type("commitment")[cid], leader.of_type("commitment")[cid]):
            assert held["status"] == "approved"
            assert held["items"][0]["result"] == "Xong" and held["items"][0]["remark"] == "Tốt"
