//! The Tirelire widget: the donation form an association pastes into its own pages.
//!
//! A small loader (`loader.js`) finds every `<div data-tirelire-campaign>` on the page, starts
//! this WebAssembly module once, and calls [`mount`] for each. Each widget renders inside its
//! own Shadow DOM, so the host page's CSS cannot reach it, and talks to the association's edge
//! through [`api`]. Validation comes from `tirelire-domain`, the same code the edge runs.

pub mod api;
pub mod components;
pub mod hooks;
pub mod i18n;
pub mod mount;
pub mod state;

pub use mount::mount;
