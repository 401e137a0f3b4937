//! The association's own details, kept on its organisation's row (a deployment serves one
//! association: the first organisation).

use tirelire_domain::staff::Association;
use worker::query;

use super::staff::AuditEntry;
use super::{Actor, Storage, StorageError};

impl Storage {
    /// Makes sure the association has its row, on a deployment that has none yet: it is named
    /// in the settings, and campaigns belong to it.
    pub(super) async fn ensure_association(&self, now: i64) -> Result<(), StorageError> {
        query!(
            &self.db,
            "INSERT INTO organisations (slug, name, created_at)
             SELECT 'association', 'Mon association', ?1
             WHERE NOT EXISTS (SELECT 1 FROM organisations)",
            now
        )?
        .run()
        .await?;
        Ok(())
    }

    /// The association's details.
    pub async fn association(&self) -> Result<Association, StorageError> {
        Ok(query!(
            &self.db,
            "SELECT name, address, contact_email FROM organisations ORDER BY id LIMIT 1"
        )
        .first::<Association>(None)
        .await?
        .unwrap_or(Association {
            name: String::new(),
            address: String::new(),
            contact_email: String::new(),
        }))
    }

    /// Changes the association's details, with its audit entry.
    pub async fn set_association(
        &self,
        association: &Association,
        person: i64,
        now: i64,
    ) -> Result<(), StorageError> {
        self.ensure_association(now).await?;
        self.db
            .batch(vec![
                query!(
                    &self.db,
                    "UPDATE organisations SET name = ?1, address = ?2, contact_email = ?3,
                                              updated_at = ?4
                     WHERE id = (SELECT min(id) FROM organisations)",
                    association.name,
                    association.address,
                    association.contact_email,
                    now,
                )?,
                self.audit_statement(
                    &AuditEntry {
                        actor: Actor::Person(person),
                        action: "settings_changed",
                        subject: "association".to_owned(),
                        detail: None,
                    },
                    now,
                )?,
            ])
            .await?;
        Ok(())
    }
}
