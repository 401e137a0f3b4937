//! The ticket rush: many donors at once for the last seats. However the checkouts interleave,
//! no more seats are taken than there are, and the seats of unpaid sessions come back.

mod common;

use std::sync::Arc;

use common::*;
use serde_json::json;

/// Donors who want a seat at the same moment.
const DONORS: usize = 200;
/// How many send at once.
const THREADS: usize = 10;

/// A donor's checkout of one seat, with a challenge token of its own.
fn body(stack: &tirelire_tests::running::Running) -> String {
    order(
        stack,
        0,
        json!({"items": [{"key": "plein", "quantity": 1}]}),
    )
    .to_string()
}

#[test]
fn two_hundred_donors_at_once_never_take_more_than_fifty_seats() {
    let stack = Arc::new(stack());
    let (_, capacity) = stock(&stack, "test-rush", "capacity");
    assert_eq!(capacity, 50);

    // Bodies are made first (each with its own challenge token), so that the checkouts
    // themselves start together.
    let bodies: Vec<String> = (0..DONORS)
        .map(|_| {
            order(
                &stack,
                0,
                json!({"items": [{"key": "plein", "quantity": 1}]}),
            )
            .to_string()
        })
        .collect();
    let bodies = Arc::new(bodies);
    let handles: Vec<_> = (0..THREADS)
        .map(|thread| {
            let stack = Arc::clone(&stack);
            let bodies = Arc::clone(&bodies);
            std::thread::spawn(move || {
                (thread..DONORS)
                    .step_by(THREADS)
                    .map(|n| {
                        let mut answer = checkout(&stack, "test-rush", bodies[n].as_bytes());
                        // On a loaded machine the anti-robot check can time out (503): the
                        // donor tries again, as the widget lets them, with a new token.
                        for _ in 0..3 {
                            if answer.status != 503 {
                                break;
                            }
                            answer = checkout(&stack, "test-rush", body(&stack).as_bytes());
                        }
                        let session = (answer.status == 201).then(|| session_of(&answer));
                        (answer.status, answer.error_code(), session)
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let answers: Vec<(u16, String, Option<String>)> = handles
        .into_iter()
        .flat_map(|handle| handle.join().expect("a checkout thread ends"))
        .collect();

    let sessions: Vec<String> = answers.iter().filter_map(|(_, _, s)| s.clone()).collect();
    let refused: Vec<&(u16, String, Option<String>)> = answers
        .iter()
        .filter(|(status, _, _)| *status != 201)
        .collect();
    assert_eq!(sessions.len(), 50, "every seat is sold, none twice");
    assert!(
        refused
            .iter()
            .all(|(status, code, _)| *status == 422 && code == "invalid_submission"),
        "the others hear the seats are gone: {:?}",
        refused.iter().find(|(status, _, _)| *status != 422)
    );
    assert_eq!(stock(&stack, "test-rush", "capacity"), (50, 50));
    let held = count(
        &stack,
        "SELECT count(*) FROM tickets t JOIN orders o ON o.id = t.order_id
         WHERE o.campaign_id = 930 AND o.status IN ('pending', 'paid')",
    );
    assert_eq!(held, 50, "one ticket per seat taken");

    // The unpaid sessions expire: every seat comes back.
    for session in &sessions {
        expire(&stack, session);
    }
    for _ in 0..200 {
        if stock(&stack, "test-rush", "capacity").0 == 0 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(stock(&stack, "test-rush", "capacity"), (0, 50));
    let again = order(
        &stack,
        0,
        json!({"items": [{"key": "plein", "quantity": 1}]}),
    );
    let answer = checkout(&stack, "test-rush", again.to_string().as_bytes());
    assert_eq!(answer.status, 201, "{}", answer.body);
    expire(&stack, &session_of(&answer));
}
