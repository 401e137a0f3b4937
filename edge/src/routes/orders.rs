//! `GET /v1/orders/{id}`: where an order stands, for the widget's thank-you message.

use worker::{Env, Response};

use crate::error::EdgeError;
use crate::http::json;
use crate::ids::is_order_id;
use crate::storage::Storage;

/// The order's public view.
pub async fn get(id: &str, env: &Env) -> Result<Response, EdgeError> {
    if !is_order_id(id) {
        return Err(EdgeError::OrderNotFound);
    }
    let storage = Storage::from_env(env)?;
    let order = storage
        .order_view(id)
        .await?
        .ok_or(EdgeError::OrderNotFound)?;
    Ok(json(200, &order)?)
}
