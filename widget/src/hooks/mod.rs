//! The widget's hooks: the only places, with [`crate::api`], that talk to the network or the
//! page's address.

pub mod use_campaign;
pub mod use_challenge;
pub mod use_checkout;
pub mod use_return;

pub use use_campaign::{CampaignLoad, use_campaign};
pub use use_challenge::{Challenge, use_challenge};
pub use use_checkout::{CheckoutContext, use_checkout};
pub use use_return::{Return, use_return};
