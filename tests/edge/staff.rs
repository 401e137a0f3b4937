//! Who may enter the back-office: invitations by the deployment's token, one-time links,
//! sessions in a `__Host-` cookie, roles, recent sign-in, and same-origin writes. Every
//! refusal is checked to have written nothing.

mod common;

use std::time::{Duration, Instant};

use common::{
    address, count, invite_with_token, me, open_session, serial, signed_in, stack, token_of, write,
    write_from,
};
use rusqlite::Connection;
use serde_json::json;
use tirelire_tests::running::Running;

fn counts(stack: &Running) -> (i64, i64, i64, i64) {
    (
        count(stack, "SELECT count(*) FROM people"),
        count(stack, "SELECT count(*) FROM sign_in_links"),
        count(stack, "SELECT count(*) FROM sessions"),
        count(stack, "SELECT count(*) FROM audit_log"),
    )
}

#[test]
fn the_first_admin_is_invited_with_the_deployment_token_and_signs_in_once() {
    let _turn = serial();
    let stack = stack();
    let email = address("first-admin");
    let invited = invite_with_token(&stack, &email.to_uppercase(), "admin");
    assert_eq!(invited.status, 201, "{}", invited.body);
    let link = invited.json()["link"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        link.starts_with(&format!("{}/admin/#sign-in=", stack.edge_url)),
        "{link}"
    );
    let token = token_of(&link);
    // Only the hash is kept.
    assert_eq!(
        count(
            &stack,
            &format!("SELECT count(*) FROM sign_in_links WHERE token_hash LIKE '%{token}%'")
        ),
        0
    );

    let (answer, cookie) = open_session(&stack, &token);
    assert_eq!(answer.status, 200, "{}", answer.body);
    let set_cookie = answer.header("set-cookie").unwrap_or_default().to_owned();
    for part in [
        "__Host-tirelire_session=",
        "HttpOnly",
        "Secure",
        "SameSite=Strict",
        "Path=/",
    ] {
        assert!(
            set_cookie.contains(part),
            "{part} missing from {set_cookie}"
        );
    }
    assert_eq!(answer.json()["email"], json!(email), "stored in lower case");
    assert_eq!(answer.json()["role"], json!("admin"));
    assert_eq!(
        answer.allow_origin, None,
        "the back-office API is not for other sites"
    );

    let cookie = cookie.expect("a session cookie");
    let who = me(&stack, &cookie);
    assert_eq!(who.status, 200, "{}", who.body);
    assert_eq!(who.json()["email"], json!(email));

    // The link works once.
    let before = counts(&stack);
    let (again, again_cookie) = open_session(&stack, &token);
    assert_eq!(again.status, 400);
    assert_eq!(again.error_code(), "sign_in_link_invalid");
    assert_eq!(again_cookie, None);
    assert_eq!(counts(&stack), before);

    // The audit log says who was invited, by the deployment, and who signed in.
    let person: i64 = common::db(&stack)
        .query_row("SELECT id FROM people WHERE email = ?1", [&email], |row| {
            row.get(0)
        })
        .expect("the person is stored");
    let subject = format!("person:{person}");
    let actions: Vec<(String, Option<i64>)> = {
        let db = common::db(&stack);
        let mut statement = db
            .prepare("SELECT action, person_id FROM audit_log WHERE subject = ?1 ORDER BY id")
            .expect("the audit log can be read");
        statement
            .query_map([&subject], |row| Ok((row.get(0)?, row.get(1)?)))
            .expect("the audit log can be read")
            .filter_map(Result::ok)
            .collect()
    };
    assert_eq!(
        actions,
        vec![
            ("invited".to_owned(), None),
            ("signed_in".to_owned(), Some(person))
        ]
    );
}

#[test]
fn the_audit_log_cannot_be_edited_or_deleted() {
    let _turn = serial();
    let stack = stack();
    signed_in(&stack, "volunteer");
    let db = Connection::open(stack.d1_file()).expect("the local D1 database opens");
    db.busy_timeout(Duration::from_secs(5))
        .expect("a busy timeout can be set");
    let update = db.execute("UPDATE audit_log SET action = 'nothing'", []);
    let delete = db.execute("DELETE FROM audit_log", []);
    assert!(update.is_err_and(|error| error.to_string().contains("never edited")));
    assert!(delete.is_err_and(|error| error.to_string().contains("never deleted")));
}

#[test]
fn an_expired_link_is_refused_and_opens_nothing() {
    let _turn = serial();
    let stack = stack();
    let email = address("late");
    let invited = invite_with_token(&stack, &email, "treasurer");
    let token = token_of(invited.json()["link"].as_str().unwrap_or_default());
    let db = Connection::open(stack.d1_file()).expect("the local D1 database opens");
    db.busy_timeout(Duration::from_secs(5))
        .expect("a busy timeout can be set");
    db.execute(
        "UPDATE sign_in_links SET expires_at = unixepoch() - 1
         WHERE person_id = (SELECT id FROM people WHERE email = ?1)",
        [&email],
    )
    .expect("the link can be aged");
    let before = counts(&stack);
    let (answer, cookie) = open_session(&stack, &token);
    assert_eq!(answer.status, 400);
    assert_eq!(answer.error_code(), "sign_in_link_invalid");
    assert_eq!(cookie, None);
    assert_eq!(counts(&stack), before);
}

#[test]
fn wrong_tokens_sessions_and_origins_are_refused_and_change_nothing() {
    let _turn = serial();
    let stack = stack();
    let (_, admin) = signed_in(&stack, "admin");
    let before = counts(&stack);

    // The deployment's token, wrong.
    let wrong = stack.send(
        "POST",
        "/v1/admin/invitations",
        &[
            ("Authorization", "Bearer not-the-token"),
            ("Content-Type", "application/json"),
        ],
        Some(
            json!({ "email": address("x"), "role": "admin" })
                .to_string()
                .as_bytes(),
        ),
    );
    assert_eq!(
        (wrong.status, wrong.error_code().as_str()),
        (401, "unauthorized")
    );

    // No session, a made-up one, and a stolen one sent from another site.
    let body = json!({ "email": address("y"), "role": "volunteer" });
    let none = write(&stack, "/v1/admin/invitations", None, &body);
    assert_eq!(
        (none.status, none.error_code().as_str()),
        (401, "unauthorized")
    );
    let forged = write(
        &stack,
        "/v1/admin/invitations",
        Some("__Host-tirelire_session=forged"),
        &body,
    );
    assert_eq!(
        (forged.status, forged.error_code().as_str()),
        (401, "unauthorized")
    );
    for origin in [Some("https://evil.example"), Some("null"), None] {
        let foreign = write_from(&stack, "/v1/admin/invitations", origin, Some(&admin), &body);
        assert_eq!(foreign.status, 403, "{origin:?}: {}", foreign.body);
        assert_eq!(foreign.error_code(), "origin_not_allowed");
        let out = write_from(
            &stack,
            "/v1/admin/sign-out",
            origin,
            Some(&admin),
            &json!({}),
        );
        assert_eq!(out.status, 403, "{origin:?}");
        let link = write_from(
            &stack,
            "/v1/admin/session",
            origin,
            None,
            &json!({ "token": "x" }),
        );
        assert_eq!(link.status, 403, "{origin:?}");
    }
    // Unknown links, and bodies that are not what the route reads.
    let unknown = write(
        &stack,
        "/v1/admin/session",
        None,
        &json!({ "token": "nope" }),
    );
    assert_eq!(
        (unknown.status, unknown.error_code().as_str()),
        (400, "sign_in_link_invalid")
    );
    let malformed = write(&stack, "/v1/admin/session", None, &json!({ "tok": 1 }));
    assert_eq!(
        (malformed.status, malformed.error_code().as_str()),
        (400, "malformed_body")
    );
    let role = write(
        &stack,
        "/v1/admin/invitations",
        Some(&admin),
        &json!({ "email": "a@b.fr", "role": "owner" }),
    );
    assert_eq!(
        (role.status, role.error_code().as_str()),
        (400, "malformed_body")
    );
    let email = write(
        &stack,
        "/v1/admin/invitations",
        Some(&admin),
        &json!({ "email": "nobody", "role": "admin" }),
    );
    assert_eq!(
        (email.status, email.error_code().as_str()),
        (422, "invalid_submission")
    );

    // No preflight and no CORS header on the back-office's API.
    let preflight = stack.send(
        "OPTIONS",
        "/v1/admin/invitations",
        &[
            ("Origin", "https://evil.example"),
            ("Access-Control-Request-Method", "POST"),
        ],
        None,
    );
    assert_eq!(preflight.allow_origin, None);
    assert_ne!(preflight.status, 204);
    assert_eq!(counts(&stack), before);
}

#[test]
fn a_volunteer_cannot_invite_and_an_admin_can() {
    let _turn = serial();
    let stack = stack();
    let (_, volunteer) = signed_in(&stack, "volunteer");
    let (_, admin) = signed_in(&stack, "admin");
    let body = json!({ "email": address("newcomer"), "role": "treasurer" });
    let before = counts(&stack);
    let refused = write(&stack, "/v1/admin/invitations", Some(&volunteer), &body);
    assert_eq!(
        (refused.status, refused.error_code().as_str()),
        (403, "forbidden")
    );
    assert_eq!(counts(&stack), before);

    let invited = write(&stack, "/v1/admin/invitations", Some(&admin), &body);
    assert_eq!(invited.status, 201, "{}", invited.body);
    assert!(
        invited.json()["link"]
            .as_str()
            .is_some_and(|link| link.contains("#sign-in="))
    );
}

#[test]
fn changes_to_people_need_a_recent_sign_in() {
    let _turn = serial();
    let stack = stack();
    let (email, admin) = signed_in(&stack, "admin");
    let db = Connection::open(stack.d1_file()).expect("the local D1 database opens");
    db.busy_timeout(Duration::from_secs(5))
        .expect("a busy timeout can be set");
    db.execute(
        "UPDATE sessions SET signed_in_at = unixepoch() - 2 * 3600
         WHERE person_id = (SELECT id FROM people WHERE email = ?1)",
        [&email],
    )
    .expect("the sign-in can be aged");
    let before = counts(&stack);
    let stale = write(
        &stack,
        "/v1/admin/invitations",
        Some(&admin),
        &json!({ "email": address("later"), "role": "volunteer" }),
    );
    assert_eq!(
        (stale.status, stale.error_code().as_str()),
        (403, "sign_in_again")
    );
    assert_eq!(counts(&stack), before);
    // Reading still works.
    assert_eq!(me(&stack, &admin).status, 200);
}

#[test]
fn signing_out_ends_the_session_for_good() {
    let _turn = serial();
    let stack = stack();
    let (_, cookie) = signed_in(&stack, "treasurer");
    let out = write(&stack, "/v1/admin/sign-out", Some(&cookie), &json!({}));
    assert_eq!(out.status, 204, "{}", out.body);
    assert!(
        out.header("set-cookie")
            .is_some_and(|value| value.contains("Max-Age=0"))
    );
    let after = me(&stack, &cookie);
    assert_eq!(
        (after.status, after.error_code().as_str()),
        (401, "unauthorized")
    );
}

#[test]
fn a_member_gets_a_link_by_mail_and_a_stranger_gets_the_same_answer_and_no_mail() {
    let _turn = serial();
    let stack = stack();
    let catcher = common::catcher();
    let member = address("member");
    assert_eq!(invite_with_token(&stack, &member, "volunteer").status, 201);
    let stranger = address("stranger");

    let asked = write(
        &stack,
        "/v1/admin/sign-in",
        None,
        &json!({ "email": member.to_uppercase() }),
    );
    let unknown = write(
        &stack,
        "/v1/admin/sign-in",
        None,
        &json!({ "email": stranger }),
    );
    assert_eq!((asked.status, unknown.status), (202, 202));
    assert_eq!(asked.body, unknown.body);

    let deadline = Instant::now() + Duration::from_secs(20);
    let mut messages = catcher.messages_to(&member);
    while messages.is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
        messages = catcher.messages_to(&member);
    }
    let text = messages
        .first()
        .and_then(|message| message["text"].as_str())
        .unwrap_or_else(|| panic!("no sign-in mail for {member}"))
        .to_owned();
    assert!(text.contains("15 minutes"), "{text}");
    let link = text
        .split_whitespace()
        .find(|word| word.contains("#sign-in="))
        .unwrap_or_else(|| panic!("no link in {text}"));
    let (answer, cookie) = open_session(&stack, &token_of(link));
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.json()["role"], json!("volunteer"));
    assert!(cookie.is_some());
    assert!(catcher.messages_to(&stranger).is_empty());
}

#[test]
fn an_admin_removes_a_member_whose_session_stops_at_once_and_the_audit_log_says_so() {
    let _turn = serial();
    let stack = stack();
    let (admin_email, admin) = signed_in(&stack, "admin");
    let (volunteer_email, volunteer) = signed_in(&stack, "volunteer");
    let (_, treasurer) = signed_in(&stack, "treasurer");
    let get = |path: &str, cookie: &str| stack.send("GET", path, &[("Cookie", cookie)], None);

    assert_eq!(
        get("/v1/admin/people", &volunteer).error_code(),
        "forbidden"
    );
    assert_eq!(
        get("/v1/admin/people", &treasurer).error_code(),
        "forbidden"
    );
    assert_eq!(get("/v1/admin/audit", &volunteer).error_code(), "forbidden");
    let people = get("/v1/admin/people", &admin);
    assert_eq!(people.status, 200, "{}", people.body);
    let id = people
        .json()
        .as_array()
        .and_then(|people| people.iter().find(|p| p["email"] == json!(volunteer_email)))
        .and_then(|person| person["id"].as_i64())
        .expect("the volunteer is listed");
    let own = people
        .json()
        .as_array()
        .and_then(|people| people.iter().find(|p| p["email"] == json!(admin_email)))
        .and_then(|person| person["id"].as_i64())
        .expect("the admin is listed");

    let path = format!("/v1/admin/people/{id}/removal");
    let before = counts(&stack);
    assert_eq!(
        write(&stack, &path, Some(&treasurer), &json!({})).error_code(),
        "forbidden"
    );
    assert_eq!(
        write_from(
            &stack,
            &path,
            Some("https://evil.example"),
            Some(&admin),
            &json!({})
        )
        .error_code(),
        "origin_not_allowed"
    );
    let myself = write(
        &stack,
        &format!("/v1/admin/people/{own}/removal"),
        Some(&admin),
        &json!({}),
    );
    assert_eq!(myself.status, 409, "{}", myself.body);
    assert_eq!(myself.error_code(), "cannot_remove_self");
    assert_eq!(counts(&stack), before, "no refusal wrote anything");

    assert_eq!(me(&stack, &volunteer).status, 200);
    assert_eq!(write(&stack, &path, Some(&admin), &json!({})).status, 204);
    assert_eq!(
        me(&stack, &volunteer).status,
        401,
        "the session stopped at once"
    );
    assert_eq!(write(&stack, &path, Some(&admin), &json!({})).status, 404);

    let audit = get("/v1/admin/audit", &treasurer);
    assert_eq!(audit.status, 200, "{}", audit.body);
    let lines = audit.json();
    let removal = lines
        .as_array()
        .and_then(|lines| {
            lines.iter().find(|line| {
                line["action"] == json!("removed")
                    && line["subject"] == json!(format!("person:{id}"))
            })
        })
        .cloned()
        .unwrap_or_else(|| panic!("the removal is in the audit log: {lines}"));
    assert_eq!(removal["who"], json!(admin_email));
    let last = lines[0]["id"].as_i64().unwrap_or_default();
    let older = get(&format!("/v1/admin/audit?before={last}"), &treasurer).json();
    assert!(
        older
            .as_array()
            .is_some_and(|older| older.iter().all(|line| line["id"].as_i64() < Some(last))),
        "pages go back in time"
    );
}

#[test]
fn an_admin_changes_the_association_s_details_and_tests_the_mail() {
    let _turn = serial();
    let stack = stack();
    let (admin_email, admin) = signed_in(&stack, "admin");
    let (_, treasurer) = signed_in(&stack, "treasurer");
    let (_, volunteer) = signed_in(&stack, "volunteer");
    let read = stack.send("GET", "/v1/admin/settings", &[("Cookie", &volunteer)], None);
    assert_eq!(read.status, 200, "{}", read.body);
    let original = read.json()["association"].clone();
    assert_eq!(read.json()["mail_provider"], json!("smtp"));

    let changed = json!({
        "name": "  Les Amis du Jardin Partagé ",
        "address": "3 rue des Lilas, 75020 Paris",
        "contact_email": "Bureau@Jardin.example",
    });
    assert_eq!(
        write(&stack, "/v1/admin/settings", Some(&treasurer), &changed).error_code(),
        "forbidden"
    );
    let empty = write(
        &stack,
        "/v1/admin/settings",
        Some(&admin),
        &json!({ "name": " " }),
    );
    assert_eq!(empty.status, 422, "{}", empty.body);
    assert_eq!(
        empty.json()["error"]["fields"],
        json!([{ "field": "name", "code": "invalid" }])
    );
    let saved = write(&stack, "/v1/admin/settings", Some(&admin), &changed);
    assert_eq!(saved.status, 200, "{}", saved.body);
    let now = stack
        .send("GET", "/v1/admin/settings", &[("Cookie", &volunteer)], None)
        .json();
    assert_eq!(
        now["association"]["name"],
        json!("Les Amis du Jardin Partagé")
    );
    assert_eq!(
        now["association"]["contact_email"],
        json!("bureau@jardin.example")
    );

    // The mail test, from the back-office: admins only, and it arrives.
    let test = json!({ "to": admin_email });
    assert_eq!(
        write(
            &stack,
            "/v1/admin/settings/test-mail",
            Some(&treasurer),
            &test
        )
        .error_code(),
        "forbidden"
    );
    let sent = write(&stack, "/v1/admin/settings/test-mail", Some(&admin), &test);
    assert_eq!(sent.status, 200, "{}", sent.body);
    assert_eq!(sent.json()["outcome"], json!("sent"), "{}", sent.body);
    let client = common::catcher();
    let mut received = Vec::new();
    for _ in 0..50 {
        received = client.messages_to(&admin_email);
        if !received.is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(received.len(), 1, "the test message arrives");

    // As it was, for the tests that read the association's name.
    assert_eq!(
        write(&stack, "/v1/admin/settings", Some(&admin), &original).status,
        200
    );
}

#[test]
fn nobody_can_flood_a_member_s_mailbox_with_sign_in_links() {
    let _turn = serial();
    let stack = stack();
    let catcher = common::catcher();
    let member = address("flooded");
    // The invitation's link is the first of the hour.
    assert_eq!(invite_with_token(&stack, &member, "volunteer").status, 201);
    for _ in 0..7 {
        let asked = write(
            &stack,
            "/v1/admin/sign-in",
            None,
            &json!({ "email": member }),
        );
        assert_eq!(
            asked.status, 202,
            "the answer never changes: {}",
            asked.body
        );
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut messages = catcher.messages_to(&member);
    while messages.len() < 4 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
        messages = catcher.messages_to(&member);
    }
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        catcher.messages_to(&member).len(),
        4,
        "five links an hour, the invitation's included"
    );
    assert_eq!(
        count(
            &stack,
            &format!(
                "SELECT count(*) FROM sign_in_links WHERE person_id = (SELECT id FROM people WHERE email = '{member}')"
            )
        ),
        5
    );
}
