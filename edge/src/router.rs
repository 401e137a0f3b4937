//! The edge's only list of routes.

use worker::{Context, Env, Method, Request, Response, RouteContext, Router};

use crate::error::EdgeError;
use crate::http::{allow_any_origin, preflight, secure};
use crate::routes::{
    admin, campaigns, checkout, donors, health, members, order_page, orders, pages, payments,
    settings, setup, staff, tickets, webhooks,
};

/// Answers one request. Every answer, refusals included, carries the security headers, and
/// every public API answer the CORS header. The back-office's API (`/v1/admin/…`) is for the
/// edge's own pages only: it carries no CORS header and answers no preflight; nor do donors'
/// own pages (`/o/…`), which no other site has any business reading.
pub async fn handle(req: Request, env: Env, ctx: Context) -> worker::Result<Response> {
    let path = req.path();
    let public = !path.starts_with("/v1/admin/") && !path.starts_with(order_page::PATH);
    let mut response = if req.method() == Method::Options && public {
        preflight()?
    } else {
        let response = routes(ctx).run(req, env).await?;
        // The router answers a known path with the wrong method by itself, in plain text.
        if response.status_code() == 405 {
            EdgeError::MethodNotAllowed.into_response()?
        } else {
            response
        }
    };
    if public {
        allow_any_origin(&mut response)?;
    }
    secure(&mut response)?;
    Ok(response)
}

fn routes(ctx: Context) -> Router<'static, Context> {
    Router::with_data(ctx)
        .get("/health", |_, _| reply(health::get()))
        .get_async("/v1/campaigns/:slug", |_, route| async move {
            reply(campaigns::get(param(&route, "slug"), &route.env).await)
        })
        .get_async("/v1/campaigns/:slug/progress", |_, route| async move {
            reply(campaigns::progress(param(&route, "slug"), &route.env).await)
        })
        .get_async(
            "/v1/campaigns/:slug/promo-codes/:code",
            |req, route| async move {
                let (slug, code) = (param(&route, "slug"), param(&route, "code"));
                reply(campaigns::promo_code(&req, slug, code, &route.env).await)
            },
        )
        .post_async("/v1/campaigns/:slug/checkout", |req, route| async move {
            reply(checkout::post(req, param(&route, "slug"), &route.env, &route.data).await)
        })
        .get_async("/v1/orders/:id", |_, route| async move {
            reply(orders::get(param(&route, "id"), &route.env).await)
        })
        .post_async("/v1/webhooks/:provider", |req, route| async move {
            reply(webhooks::post(req, param(&route, "provider"), &route.env, &route.data).await)
        })
        .post_async("/v1/admin/mail/test", |req, route| async move {
            reply(admin::mail_test(req, &route.env, &route.data).await)
        })
        .get_async("/v1/admin/mail/outbox", |req, route| async move {
            reply(admin::outbox(req, &route.env).await)
        })
        .post_async("/v1/admin/invitations", |req, route| async move {
            reply(staff::invite(req, &route.env, &route.data).await)
        })
        .post_async("/v1/admin/sign-in", |req, route| async move {
            reply(staff::sign_in(req, &route.env, &route.data).await)
        })
        .post_async("/v1/admin/session", |req, route| async move {
            reply(staff::open(req, &route.env, &route.data).await)
        })
        .get_async("/v1/admin/me", |req, route| async move {
            reply(staff::who(req, &route.env).await)
        })
        .post_async("/v1/admin/sign-out", |req, route| async move {
            reply(staff::sign_out(req, &route.env).await)
        })
        .get_async("/v1/admin/people", |req, route| async move {
            reply(staff::people(req, &route.env).await)
        })
        .post_async("/v1/admin/people/:id/removal", |req, route| async move {
            reply(staff::remove(req, param(&route, "id"), &route.env).await)
        })
        .get_async("/v1/admin/settings", |req, route| async move {
            reply(settings::get(req, &route.env).await)
        })
        .post_async("/v1/admin/settings", |req, route| async move {
            reply(settings::set(req, &route.env, &route.data).await)
        })
        .post_async("/v1/admin/settings/test-mail", |req, route| async move {
            reply(settings::test_mail(req, &route.env, &route.data).await)
        })
        .get_async("/v1/admin/audit", |req, route| async move {
            reply(staff::audit(req, &route.env).await)
        })
        .get_async("/v1/admin/campaigns", |req, route| async move {
            reply(payments::campaigns(req, &route.env).await)
        })
        .post_async("/v1/admin/campaigns", |req, route| async move {
            reply(setup::create(req, &route.env, &route.data).await)
        })
        .get_async("/v1/admin/campaigns/:slug", |req, route| async move {
            reply(setup::get(req, param(&route, "slug"), &route.env).await)
        })
        .post_async("/v1/admin/campaigns/:slug/check", |req, route| async move {
            reply(setup::check(req, param(&route, "slug"), &route.env, &route.data).await)
        })
        .post_async("/v1/admin/campaigns/:slug", |req, route| async move {
            reply(setup::update(req, param(&route, "slug"), &route.env, &route.data).await)
        })
        .get_async("/v1/admin/dashboard", |req, route| async move {
            reply(payments::dashboard(req, &route.env).await)
        })
        .get_async("/v1/admin/donors", |req, route| async move {
            reply(donors::file(req, &route.env).await)
        })
        .post_async("/v1/admin/donors/erasure", |req, route| async move {
            reply(donors::erase(req, &route.env, &route.data).await)
        })
        .get_async("/v1/admin/payments", |req, route| async move {
            reply(payments::list(req, &route.env).await)
        })
        .get_async("/v1/admin/payments.csv", |req, route| async move {
            reply(payments::export(req, &route.env).await)
        })
        .post_async("/v1/admin/payments/offline", |req, route| async move {
            reply(payments::record(req, &route.env, &route.data).await)
        })
        .post_async("/v1/admin/payments/:id/reversal", |req, route| async move {
            reply(payments::reverse(req, param(&route, "id"), &route.env, &route.data).await)
        })
        .get_async("/v1/admin/payments/:id", |req, route| async move {
            reply(payments::detail(req, param(&route, "id"), &route.env).await)
        })
        .post_async("/v1/admin/payments/:id/note", |req, route| async move {
            reply(payments::note(req, param(&route, "id"), &route.env, &route.data).await)
        })
        .post_async("/v1/admin/payments/:id/receipt", |req, route| async move {
            reply(payments::receipt(req, param(&route, "id"), &route.env, &route.data).await)
        })
        .post_async("/v1/admin/payments/:id/refund", |req, route| async move {
            reply(payments::refund(req, param(&route, "id"), &route.env, &route.data).await)
        })
        .post_async(
            "/v1/admin/payments/:id/stop-monthly",
            |req, route| async move {
                reply(payments::stop_monthly(req, param(&route, "id"), &route.env).await)
            },
        )
        .post_async("/v1/admin/check-in", |req, route| async move {
            reply(tickets::check_in(req, &route.env, &route.data).await)
        })
        .get_async(
            "/v1/admin/campaigns/:slug/attendees",
            |req, route| async move {
                reply(tickets::attendees(req, param(&route, "slug"), &route.env).await)
            },
        )
        .get_async(
            "/v1/admin/campaigns/:slug/attendees.csv",
            |req, route| async move {
                reply(tickets::attendees_csv(req, param(&route, "slug"), &route.env).await)
            },
        )
        .get_async("/v1/admin/members", |req, route| async move {
            reply(members::list(req, &route.env).await)
        })
        .get_async("/v1/admin/members.csv", |req, route| async move {
            reply(members::csv(req, &route.env).await)
        })
        // A donor's own page: their tickets, their member card, their monthly gift.
        .get_async("/o/:token", |_, route| async move {
            reply(order_page::get(param(&route, "token"), &route.env).await)
        })
        .post_async("/o/:token/stop", |req, route| async move {
            reply(order_page::stop(req, param(&route, "token"), &route.env).await)
        })
        // The edge's own pages, served through the Worker so that each answer can say which
        // sites may frame it.
        .get_async(pages::HOSTED_FORM, |req, route| async move {
            reply(pages::hosted_form(req, &route.env).await)
        })
        .get_async(pages::CHALLENGE, |req, route| async move {
            reply(pages::challenge(req, &route.env).await)
        })
        .get_async(pages::BACK_OFFICE, |req, route| async move {
            reply(pages::back_office(req, &route.env).await)
        })
        .or_else_any_method("/*path", |_, _| reply(Err(EdgeError::NotFound)))
}

fn param<'a>(route: &'a RouteContext<Context>, name: &str) -> &'a str {
    route.param(name).map(String::as_str).unwrap_or_default()
}

fn reply(result: Result<Response, EdgeError>) -> worker::Result<Response> {
    result.or_else(EdgeError::into_response)
}
