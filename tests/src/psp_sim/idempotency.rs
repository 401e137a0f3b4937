//! Stripe's `Idempotency-Key`, the same for every POST under `/v1`: the first request made with
//! a key is executed and its answer kept; a retry with the same parameters gets that answer
//! again (marked `Idempotent-Replayed: true`), one with other parameters is refused, and one
//! that arrives while the first is still running is told to wait (409). The key is claimed
//! under the lock before anything runs, so two concurrent requests can never both execute.
//!
//! As Stripe does, only an answer from an endpoint that began executing is kept: a request
//! refused for its parameters (400) or for an unknown object (404) leaves the key free, so the
//! client can correct it and retry with the same key.
//!
//! Stripe scopes keys to the account; the simulator scopes them to the path as well, which only
//! matters to a client that reuses a key across endpoints, which Stripe forbids anyway.

use std::collections::HashMap;

use super::{Account, Reply};

/// What is known about each (path, key) pair.
pub(super) type Keys = HashMap<(String, String), Entry>;

/// The fate of the first request made with a key.
pub(super) enum Entry {
    /// It is still running.
    InProgress,
    /// It ran: its parameters and the answer it got.
    Done {
        params: Vec<(String, String)>,
        status: u16,
        body: String,
    },
}

/// Stripe refuses longer keys.
const MAX_KEY_LEN: usize = 255;

/// Runs `execute` for a POST to `path` with `params`, under the rules above. Without a key,
/// it simply runs.
pub(super) fn run(
    account: &Account,
    path: &str,
    key: Option<&str>,
    params: &[(String, String)],
    execute: impl FnOnce() -> Reply,
) -> Reply {
    let Some(key) = key else {
        return execute();
    };
    if key.len() > MAX_KEY_LEN {
        return Reply::refused(
            None,
            "Keys for idempotent requests can only be up to 255 characters long.",
        );
    }
    let slot = (path.to_owned(), key.to_owned());
    {
        let mut state = account.state();
        match state.idempotent.get(&slot) {
            Some(Entry::InProgress) => return in_use(),
            Some(Entry::Done {
                params: first,
                status,
                body,
            }) => {
                if first.as_slice() != params {
                    return mismatch(key);
                }
                let replayed = Reply {
                    status: *status,
                    content_type: "application/json",
                    body: body.clone(),
                    headers: vec![("Idempotent-Replayed", "true".into())],
                };
                return echo(replayed, key);
            }
            None => {
                state.idempotent.insert(slot.clone(), Entry::InProgress);
            }
        }
    }
    let claim = Claim {
        account,
        slot: Some(slot),
    };
    let reply = execute();
    claim.settle(params, &reply);
    echo(reply, key)
}

/// A key held while its first request runs. Dropped unsettled (the request panicked), it frees
/// the key rather than leaving it "in progress" for ever.
struct Claim<'a> {
    account: &'a Account,
    slot: Option<(String, String)>,
}

impl Claim<'_> {
    fn settle(mut self, params: &[(String, String)], reply: &Reply) {
        let Some(slot) = self.slot.take() else {
            return;
        };
        let mut state = self.account.state();
        if began_executing(reply.status) {
            state.idempotent.insert(
                slot,
                Entry::Done {
                    params: params.to_vec(),
                    status: reply.status,
                    body: reply.body.clone(),
                },
            );
        } else {
            state.idempotent.remove(&slot);
        }
    }
}

impl Drop for Claim<'_> {
    fn drop(&mut self) {
        if let Some(slot) = self.slot.take() {
            self.account.state().idempotent.remove(&slot);
        }
    }
}

/// Whether Stripe would have kept this answer: everything but a refusal of the request itself.
fn began_executing(status: u16) -> bool {
    !matches!(status, 400 | 404)
}

/// Stripe names the key in its answer, which is what the official libraries read back.
fn echo(mut reply: Reply, key: &str) -> Reply {
    if key.is_ascii() {
        reply.headers.push(("Idempotency-Key", key.to_owned()));
    }
    reply
}

fn mismatch(key: &str) -> Reply {
    Reply::stripe_error(
        400,
        "idempotency_error",
        None,
        None,
        &format!(
            "Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '{key}' if you meant to execute a different request."
        ),
    )
}

fn in_use() -> Reply {
    Reply::stripe_error(
        409,
        "idempotency_error",
        Some("idempotency_key_in_use"),
        None,
        "There is currently another in-progress request using this Stripe API Idempotency-Key. Please try again later.",
    )
}
