//! The association's people in the back-office, and what each may do.

use serde::{Deserialize, Serialize};

use crate::wire::wire_names;

/// What a person may do in the back-office. Each role can do everything the one before it can.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// Reads the lists (and checks people in at the door).
    Volunteer,
    /// Handles money: refunds, offline payments, exports.
    Treasurer,
    /// Everything, including inviting and removing people.
    Admin,
}

wire_names!(Role {
    Volunteer = "volunteer",
    Treasurer = "treasurer",
    Admin = "admin",
});

impl Role {
    /// Whether this role may do what `needed` may.
    pub fn covers(self, needed: Role) -> bool {
        self >= needed
    }
}

/// `POST /v1/admin/invitations`: who to let in, and as what.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationRequest {
    /// Their email address, where sign-in links go.
    pub email: String,
    /// Their role.
    pub role: Role,
}

/// The invitation's link, to send by hand if the mail does not arrive.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationResponse {
    /// The one-time sign-in link.
    pub link: String,
    /// When it stops working, in seconds since the epoch.
    pub expires_at: i64,
}

/// The person behind a session, as `GET /v1/admin/me` describes them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    /// Their email address.
    pub email: String,
    /// Their role.
    pub role: Role,
    /// When they last signed in through a link, in seconds since the epoch.
    pub signed_in_at: i64,
    /// When the session ends.
    pub expires_at: i64,
}

/// A member of the back-office (`GET /v1/admin/people`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    /// Their row id.
    pub id: i64,
    /// Their email address.
    pub email: String,
    /// Their role.
    pub role: Role,
    /// When they were let in, in seconds since the epoch.
    pub created_at: i64,
    /// When they were removed, if they were.
    pub removed_at: Option<i64>,
    /// When they last signed in, if ever.
    pub last_signed_in_at: Option<i64>,
}

/// One line of the audit log (`GET /v1/admin/audit`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditLine {
    /// Its id; lines come newest first, and `?before=` pages on.
    pub id: i64,
    /// When, in seconds since the epoch.
    pub at: i64,
    /// Who: a member's address, or none for the deployment's admin token.
    pub who: Option<String>,
    /// What, as a stable word: `invited`, `signed_in`, `refund_requested`…
    pub action: String,
    /// To which record: `person:3`, `order:ord_…`, `campaign:…`.
    pub subject: Option<String>,
    /// What else was kept, as JSON.
    pub detail: Option<String>,
}

/// The association, as the back-office's settings describe it (`GET` and `POST
/// /v1/admin/settings`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Association {
    /// Its name, as donors see it on the form and in their receipts.
    pub name: String,
    /// Its postal address.
    #[serde(default)]
    pub address: String,
    /// The address people may write to.
    #[serde(default)]
    pub contact_email: String,
}

/// The settings page: the association, and how the edge sends mail (set when deploying).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// The association.
    pub association: Association,
    /// The mail provider's name (`smtp`, `brevo`…), if mail is set up.
    pub mail_provider: Option<String>,
    /// The sender's address, if mail is set up.
    pub mail_from: Option<String>,
    /// What is wrong with the mail settings, if something is.
    pub mail_problem: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_nest() {
        assert!(Role::Admin.covers(Role::Treasurer));
        assert!(Role::Treasurer.covers(Role::Volunteer));
        assert!(Role::Treasurer.covers(Role::Treasurer));
        assert!(!Role::Volunteer.covers(Role::Treasurer));
        assert!(!Role::Treasurer.covers(Role::Admin));
    }

    #[test]
    fn role_names_round_trip_and_match_serde() {
        for role in [Role::Volunteer, Role::Treasurer, Role::Admin] {
            assert_eq!(Role::from_name(role.name()), Some(role));
            assert_eq!(
                serde_json::to_value(role).ok(),
                Some(serde_json::json!(role.name()))
            );
        }
        assert_eq!(Role::from_name("owner"), None);
    }
}
