//! What Tirelire's cross-component tests run against: the Stripe simulator, the Turnstile
//! stand-in, the mail catcher, the demo site's server, and the whole stack (edge in `wrangler dev`, simulator, demo site) that
//! `cargo xtask demo` and `cargo xtask test` start.

pub mod mail_catcher;
pub mod psp_sim;
pub mod running;
pub mod seed;
pub mod server;
pub mod site;
pub mod stack;
pub mod turnstile_sim;
