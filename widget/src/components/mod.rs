//! The widget's components, one per file. They change state only through callbacks.

pub mod amount_picker;
pub mod app;
pub mod challenge_frame;
pub mod consent_box;
pub mod donation_form;
pub mod item_picker;
pub mod order_options;
pub mod order_summary;
pub mod progress;
pub mod questions;
pub mod return_notice;
pub mod text_field;
