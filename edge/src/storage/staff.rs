//! The back-office's people, sign-in links, sessions and audit log. Secrets are never stored:
//! callers pass the SHA-256 hash of a link's or a session's token.
//!
//! Each change is written in one batch with its audit entry, so nothing happens unrecorded.

use serde::Deserialize;
use tirelire_domain::Role;
use tirelire_domain::staff::{AuditLine, Person};
use worker::{D1PreparedStatement, query};

use super::{Storage, StorageError, changes};

/// The most sign-in links one member may be sent in an hour.
pub const LINKS_PER_HOUR: u32 = 5;

/// Who acts: a person, or the deployment's admin token (no person).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Actor {
    /// A signed-in person, by row id.
    Person(i64),
    /// Whoever holds the deployment's `ADMIN_TOKEN`.
    Deployment,
}

/// One audit entry to write.
pub(super) struct AuditEntry<'a> {
    /// Who did it.
    pub actor: Actor,
    /// What, as a stable word: `invited`, `signed_in`, `signed_out`.
    pub action: &'a str,
    /// To which record: `person:3`.
    pub subject: String,
    /// What else to remember about it.
    pub detail: Option<serde_json::Value>,
}

/// A session that is still open, with its person.
#[derive(Clone, Debug, Deserialize)]
pub struct StaffSession {
    /// The person's row id.
    pub person_id: i64,
    /// Their email address.
    pub email: String,
    /// Their role, as stored.
    role: String,
    /// When the link that opened the session was used.
    pub signed_in_at: i64,
    /// When the session ends.
    pub expires_at: i64,
}

impl StaffSession {
    /// The person's role; an unknown stored name counts as the least.
    pub fn role(&self) -> Role {
        Role::from_name(&self.role).unwrap_or(Role::Volunteer)
    }
}

#[derive(Deserialize)]
struct PersonId {
    person_id: i64,
}

impl Storage {
    /// Lets `email` in as `role` (adding them, or changing their role and bringing them back if
    /// they were removed) and stores a one-time link for them, with its audit entry.
    pub async fn invite(
        &self,
        email: &str,
        role: Role,
        link_hash: &str,
        now: i64,
        expires_at: i64,
        actor: Actor,
    ) -> Result<(), StorageError> {
        let person = query!(
            &self.db,
            "INSERT INTO people (email, role, created_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (email) DO UPDATE SET role = excluded.role, removed_at = NULL
             RETURNING id AS person_id",
            email,
            role.name(),
            now,
        )?
        .first::<PersonId>(None)
        .await?
        .ok_or_else(|| StorageError::Corrupt("the invited person has no row".into()))?;
        let statements = vec![
            query!(
                &self.db,
                "INSERT INTO sign_in_links (token_hash, person_id, created_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4)",
                link_hash,
                person.person_id,
                now,
                expires_at,
            )?,
            self.audit_statement(
                &AuditEntry {
                    actor,
                    action: "invited",
                    subject: format!("person:{}", person.person_id),
                    detail: Some(serde_json::json!({ "role": role.name() })),
                },
                now,
            )?,
        ];
        self.db.batch(statements).await?;
        Ok(())
    }

    /// Stores a one-time link for `email` if they are a current member of the back-office and
    /// have had fewer than [`LINKS_PER_HOUR`] links in the last hour, so that nobody can flood
    /// a member's mailbox; says whether it did.
    pub async fn add_sign_in_link(
        &self,
        email: &str,
        link_hash: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<bool, StorageError> {
        let result = query!(
            &self.db,
            "INSERT INTO sign_in_links (token_hash, person_id, created_at, expires_at)
             SELECT ?2, id, ?3, ?4 FROM people p
             WHERE email = ?1 AND removed_at IS NULL
               AND (SELECT count(*) FROM sign_in_links l
                    WHERE l.person_id = p.id AND l.created_at > ?3 - 3600) < ?5",
            email,
            link_hash,
            now,
            expires_at,
            LINKS_PER_HOUR,
        )?
        .run()
        .await?;
        Ok(changes(&result)? > 0)
    }

    /// Uses a link, once: if it is known, unused, unexpired and its person still a member,
    /// marks it used and opens a session, with its audit entry. Two uses at once open one
    /// session.
    pub async fn use_sign_in_link(
        &self,
        link_hash: &str,
        session_hash: &str,
        now: i64,
        session_expires_at: i64,
    ) -> Result<Option<i64>, StorageError> {
        let used = query!(
            &self.db,
            "UPDATE sign_in_links SET used_at = ?2
             WHERE token_hash = ?1 AND used_at IS NULL AND expires_at > ?2
               AND person_id IN (SELECT id FROM people WHERE removed_at IS NULL)
             RETURNING person_id",
            link_hash,
            now,
        )?
        .first::<PersonId>(None)
        .await?;
        let Some(PersonId { person_id }) = used else {
            return Ok(None);
        };
        let statements = vec![
            query!(
                &self.db,
                "INSERT INTO sessions (token_hash, person_id, signed_in_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4)",
                session_hash,
                person_id,
                now,
                session_expires_at,
            )?,
            self.audit_statement(
                &AuditEntry {
                    actor: Actor::Person(person_id),
                    action: "signed_in",
                    subject: format!("person:{person_id}"),
                    detail: None,
                },
                now,
            )?,
        ];
        self.db.batch(statements).await?;
        Ok(Some(person_id))
    }

    /// The open session with this hash, if any: not ended, not expired, its person a member.
    pub async fn staff_session(
        &self,
        session_hash: &str,
        now: i64,
    ) -> Result<Option<StaffSession>, StorageError> {
        Ok(query!(
            &self.db,
            "SELECT s.person_id, p.email, p.role, s.signed_in_at, s.expires_at
             FROM sessions s JOIN people p ON p.id = s.person_id
             WHERE s.token_hash = ?1 AND s.ended_at IS NULL AND s.expires_at > ?2
               AND p.removed_at IS NULL",
            session_hash,
            now,
        )?
        .first::<StaffSession>(None)
        .await?)
    }

    /// Every member, removed ones last.
    pub async fn people(&self) -> Result<Vec<Person>, StorageError> {
        #[derive(Deserialize)]
        struct Row {
            id: i64,
            email: String,
            role: String,
            created_at: i64,
            removed_at: Option<i64>,
            last_signed_in_at: Option<i64>,
        }
        let rows = query!(
            &self.db,
            "SELECT p.id, p.email, p.role, p.created_at, p.removed_at,
                    (SELECT max(signed_in_at) FROM sessions WHERE person_id = p.id)
                        AS last_signed_in_at
             FROM people p ORDER BY p.removed_at IS NOT NULL, p.email"
        )
        .all()
        .await?
        .results::<Row>()?;
        Ok(rows
            .into_iter()
            .map(|row| Person {
                id: row.id,
                email: row.email,
                role: Role::from_name(&row.role).unwrap_or(Role::Volunteer),
                created_at: row.created_at,
                removed_at: row.removed_at,
                last_signed_in_at: row.last_signed_in_at,
            })
            .collect())
    }

    /// Removes a member: their sessions and links stop working at once. Says whether they
    /// were a member still.
    pub async fn remove_person(
        &self,
        person_id: i64,
        actor: Actor,
        now: i64,
    ) -> Result<bool, StorageError> {
        #[derive(Deserialize)]
        struct Member {
            n: i64,
        }
        let member = query!(
            &self.db,
            "SELECT count(*) AS n FROM people WHERE id = ?1 AND removed_at IS NULL",
            person_id
        )?
        .first::<Member>(None)
        .await?;
        if member.is_none_or(|member| member.n == 0) {
            return Ok(false);
        }
        let results = self
            .db
            .batch(vec![
                query!(
                    &self.db,
                    "UPDATE people SET removed_at = ?2 WHERE id = ?1 AND removed_at IS NULL",
                    person_id,
                    now,
                )?,
                query!(
                    &self.db,
                    "UPDATE sessions SET ended_at = ?2 WHERE person_id = ?1 AND ended_at IS NULL",
                    person_id,
                    now,
                )?,
                self.audit_statement(
                    &AuditEntry {
                        actor,
                        action: "removed",
                        subject: format!("person:{person_id}"),
                        detail: None,
                    },
                    now,
                )?,
            ])
            .await?;
        Ok(results.first().map(changes).transpose()?.unwrap_or(0) > 0)
    }

    /// The audit log, newest first, `limit` lines before the line `before`.
    pub async fn audit_lines(
        &self,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<AuditLine>, StorageError> {
        Ok(query!(
            &self.db,
            "SELECT a.id, a.at, p.email AS who, a.action, a.subject, a.detail
             FROM audit_log a LEFT JOIN people p ON p.id = a.person_id
             WHERE ?1 IS NULL OR a.id < ?1
             ORDER BY a.id DESC LIMIT ?2",
            before,
            limit,
        )?
        .all()
        .await?
        .results::<AuditLine>()?)
    }

    /// Ends a session, with its audit entry.
    pub async fn end_session(
        &self,
        session_hash: &str,
        person_id: i64,
        now: i64,
    ) -> Result<(), StorageError> {
        let statements = vec![
            query!(
                &self.db,
                "UPDATE sessions SET ended_at = ?2 WHERE token_hash = ?1 AND ended_at IS NULL",
                session_hash,
                now,
            )?,
            self.audit_statement(
                &AuditEntry {
                    actor: Actor::Person(person_id),
                    action: "signed_out",
                    subject: format!("person:{person_id}"),
                    detail: None,
                },
                now,
            )?,
        ];
        self.db.batch(statements).await?;
        Ok(())
    }

    /// The statement that adds `entry` to the audit log.
    pub(super) fn audit_statement(
        &self,
        entry: &AuditEntry<'_>,
        now: i64,
    ) -> Result<D1PreparedStatement, StorageError> {
        let person = match entry.actor {
            Actor::Person(id) => id.to_string(),
            Actor::Deployment => "NULL".to_owned(),
        };
        let detail = entry.detail.as_ref().map(ToString::to_string);
        Ok(query!(
            &self.db,
            &format!(
                "INSERT INTO audit_log (at, person_id, action, subject, detail)
                 VALUES (?1, {person}, ?2, ?3, json(nullif(?4, '')))"
            ),
            now,
            entry.action,
            entry.subject,
            detail.unwrap_or_default(),
        )?)
    }
}
