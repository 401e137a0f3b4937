//! The association's own details, kept on its organisation's row (a deployment serves one
//! association: the first organisation).

use tirelire_domain::staff::Association;
use worker::query;

use super::staff::AuditEntry;
use super::{Actor, Storage, StorageError};

impl Storage {
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
