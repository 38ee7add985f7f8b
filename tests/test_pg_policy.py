"""Policy versions and procedure reviews on PostgreSQL, connected as real login roles (made by
`init` and `agent add`): the program publishes as an admin login and records reviews as a
manager login; the database itself refuses everyone else, writing in another's name, and any
change to a published version or a recorded review, the owner's included."""

from __future__ import annotations

import json

import pytest
from psycopg import errors

from tests.pg_desk import pg_desk
from tests.test_pg_roles_cli import NEW_CASE, Person

pytestmark = pytest.mark.pg


def test_policy_and_reviews_as_each_role(tmp_path):
    with pg_desk("ct_policy") as desk:
        owner = Person(desk, desk.owner, tmp_path)
        owner.ok("init")
        adm, lan, sue, max_ = (desk.name(n) for n in ("adm", "lan", "sue", "max"))
        owner.ok("agent", "add", adm, "--role", "admin")
        admin = Person(desk, adm, tmp_path)
        for name, role in ((lan, "agent"), (sue, "supervisor"), (max_, "manager")):
            admin.ok("agent", "add", name, "--role", role)
        agent, supervisor, manager = (Person(desk, n, tmp_path) for n in (lan, sue, max_))
        policy = tmp_path / "policy-2.txt"
        policy.write_text("Complaint Policy, version 2.\n", encoding="utf-8")

        old_case = agent.ok(*NEW_CASE).strip()
        secret = supervisor.ok(*NEW_CASE, "--confidential").strip()  # not the agent's to see
        assert "Only an admin" in agent.refused("policy", "publish", str(policy), "--version", "2")
        assert "Only an admin" in manager.refused(
            "policy", "publish", str(policy), "--version", "2"
        )
        out = admin.ok("policy", "publish", str(policy), "--version", "2")
        assert out.startswith("Published policy version 2 ")
        new_case = agent.ok(*NEW_CASE).strip()
        assert json.loads(agent.ok("case", "show", old_case, "--json"))["policy_version"] == "1"
        assert json.loads(agent.ok("case", "show", new_case, "--json"))["policy_version"] == "2"
        assert json.loads(supervisor.ok("case", "show", secret, "--json"))["policy_version"] == "1"
        # The admin reads no case, the agent not the confidential one: both get the true counts.
        for person in (admin, agent):
            rows = json.loads(person.ok("policy", "list", "--json"))
            assert [(r["label"], r["in_force"], r["cases"], r["published_by"]) for r in rows] == [
                ("2", True, 1, adm),
                ("1", False, 2, desk.owner),
            ]
        assert agent.ok("policy", "show").startswith("Policy version 2 · ")

        review = ("policy", "review", "add", "--findings", "Late acks.", "--actions", "Rota.")
        assert "Only a manager" in supervisor.refused(*review)
        assert "Only a manager" in admin.refused(*review)
        assert manager.ok(*review, "--date", "2026-11-20").startswith("Recorded")
        listed = json.loads(agent.ok("policy", "review", "list", "--json"))
        assert [(r["date"], r["recorded_by"], r["policy_version"]) for r in listed] == [
            ("2026-11-20", max_, "2")
        ]

        # The database's own lines, for anyone with psql.
        insert_version = (
            "INSERT INTO policy_versions (label, last_updated, text, created_at, created_by) "
            "VALUES (%s, current_date, 'Text.', now(), %s)"
        )
        insert_review = (
            "INSERT INTO policy_reviews (reviewed_on, findings, actions, recorded_at, recorded_by) "
            "VALUES (current_date, 'x', 'y', now(), %s)"
        )
        with desk.connect(lan) as conn:
            with pytest.raises(errors.InsufficientPrivilege):
                conn.execute(insert_version, ("3", lan))
            with pytest.raises(errors.InsufficientPrivilege):
                conn.execute(insert_review, (lan,))
        with desk.connect(adm) as conn:
            with pytest.raises(errors.InsufficientPrivilege):
                conn.execute(insert_version, ("3", max_))  # in someone else's name
            with pytest.raises(errors.InsufficientPrivilege):
                conn.execute(insert_review, (adm,))
            with pytest.raises(errors.InsufficientPrivilege):
                conn.execute("UPDATE policy_versions SET text = 'Rewritten.'")
            with pytest.raises(errors.InsufficientPrivilege):
                conn.execute("SELECT count(*) FROM cases")
        with desk.connect(max_) as conn:
            with pytest.raises(errors.InsufficientPrivilege):
                conn.execute(insert_review, (sue,))  # in someone else's name
            conn.execute(insert_review, (max_,))
            with pytest.raises(errors.InsufficientPrivilege):
                conn.execute("UPDATE policy_reviews SET findings = 'nothing'")
        with desk.connect(desk.owner) as conn:  # the owner too: append-only
            for sql in (
                "UPDATE policy_versions SET text = 'Rewritten.'",
                "DELETE FROM policy_versions WHERE label = '2'",
                "DELETE FROM policy_reviews",
                "TRUNCATE policy_reviews",
            ):
                with pytest.raises(errors.InsufficientPrivilege, match="append-only"):
                    conn.execute(sql)
        assert [r["label"] for r in json.loads(agent.ok("policy", "list", "--json"))] == ["2", "1"]
        assert len(json.loads(agent.ok("policy", "review", "list", "--json"))) == 2
        assert "Complaint Policy, version 2." in agent.ok("policy", "show")
