//! Check-in at the door, on a volunteer's phone: scan a ticket's QR code with the camera (the
//! browser's `BarcodeDetector` where it exists, the `rqrr` decoder elsewhere), read it from a
//! photo, or find the holder by name; each ticket admits once, and a second scan says when it
//! was used. Below, the event's attendees with how many came in, and their list as a file.

use std::pin::pin;

use futures_util::future::{Either, select};
use gloo::net::http::Request;
use tirelire_domain::payments::CampaignSummary;
use tirelire_domain::setup::CampaignKind;
use tirelire_domain::tickets::{Attendees, CheckIn, TicketToken};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    CanvasRenderingContext2d, HtmlCanvasElement, HtmlInputElement, HtmlVideoElement, ImageBitmap,
    MediaStream, MediaStreamConstraints,
};
use yew::prelude::*;

use crate::form::{bind, local_date_time, post};

/// What the last check-in said.
#[derive(Clone, PartialEq)]
enum Verdict {
    /// Nothing yet.
    None,
    /// Reading the code.
    Reading,
    /// The code could not be read from the picture.
    Unreadable,
    /// The edge answered.
    Answer(CheckIn),
    /// The token is forged, altered or unknown.
    Invalid,
    /// The edge could not be reached.
    Failed,
}

/// How long a photo may take to be opened and read.
const PHOTO_TIMEOUT_MS: u32 = 20_000;

/// The QR code in a canvas, as the browser's own detector reads it, if it has one that works
/// here (some browsers expose it without a backend).
async fn browser_decode(canvas: &HtmlCanvasElement) -> Option<String> {
    let window = gloo::utils::window();
    let detector_class =
        js_sys::Reflect::get(&window, &JsValue::from_str("BarcodeDetector")).ok()?;
    if !detector_class.is_function() {
        return None;
    }
    let options = js_sys::Object::new();
    let formats = js_sys::Array::of1(&JsValue::from_str("qr_code"));
    js_sys::Reflect::set(&options, &JsValue::from_str("formats"), &formats).ok()?;
    let detector = js_sys::Reflect::construct(
        detector_class.unchecked_ref::<js_sys::Function>(),
        &js_sys::Array::of1(&options),
    )
    .ok()?;
    let detect = js_sys::Reflect::get(&detector, &JsValue::from_str("detect")).ok()?;
    let promise = detect
        .unchecked_ref::<js_sys::Function>()
        .call1(&detector, canvas)
        .ok()?;
    let found = JsFuture::from(js_sys::Promise::from(promise)).await.ok()?;
    let first = js_sys::Array::from(&found).get(0);
    js_sys::Reflect::get(&first, &JsValue::from_str("rawValue"))
        .ok()?
        .as_string()
}

/// Decodes the QR code in a canvas, through the browser when it can, else in WebAssembly.
async fn decode(canvas: &HtmlCanvasElement) -> Option<String> {
    if let Some(token) = browser_decode(canvas).await {
        return Some(token);
    }
    let context: CanvasRenderingContext2d = canvas.get_context("2d").ok()??.dyn_into().ok()?;
    let (width, height) = (canvas.width(), canvas.height());
    let pixels = context
        .get_image_data(0.0, 0.0, f64::from(width), f64::from(height))
        .ok()?
        .data();
    let (w, h) = (width as usize, height as usize);
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| {
        let at = (y * w + x) * 4;
        let (r, g, b) = (
            u16::from(pixels[at]),
            u16::from(pixels[at + 1]),
            u16::from(pixels[at + 2]),
        );
        ((r * 3 + g * 6 + b) / 10) as u8
    });
    image
        .detect_grids()
        .into_iter()
        .find_map(|grid| grid.decode().ok().map(|(_, content)| content))
}

/// Draws a picture (a video frame or a photo) on a fresh canvas, at most 800 pixels wide.
fn canvas_of(source: &JsValue, width: u32, height: u32) -> Option<HtmlCanvasElement> {
    let scale = (800.0 / f64::from(width.max(1))).min(1.0);
    let (w, h) = (
        (f64::from(width) * scale) as u32,
        (f64::from(height) * scale) as u32,
    );
    let canvas: HtmlCanvasElement = gloo::utils::document()
        .create_element("canvas")
        .ok()?
        .dyn_into()
        .ok()?;
    canvas.set_width(w.max(1));
    canvas.set_height(h.max(1));
    let context: CanvasRenderingContext2d = canvas.get_context("2d").ok()??.dyn_into().ok()?;
    if let Some(video) = source.dyn_ref::<HtmlVideoElement>() {
        context
            .draw_image_with_html_video_element_and_dw_and_dh(
                video,
                0.0,
                0.0,
                f64::from(w),
                f64::from(h),
            )
            .ok()?;
    } else if let Some(bitmap) = source.dyn_ref::<ImageBitmap>() {
        context
            .draw_image_with_image_bitmap_and_dw_and_dh(
                bitmap,
                0.0,
                0.0,
                f64::from(w),
                f64::from(h),
            )
            .ok()?;
    }
    Some(canvas)
}

/// Sends a token to the edge and tells what it said.
async fn check(token: String, verdict: UseStateHandle<Verdict>, reload: Callback<()>) {
    verdict.set(Verdict::Reading);
    let sent = post("/v1/admin/check-in", &TicketToken { token }).await;
    verdict.set(match sent {
        Ok(response) if response.status() == 200 || response.status() == 409 => {
            match response.json::<CheckIn>().await {
                Ok(answer) => Verdict::Answer(answer),
                Err(_) => Verdict::Failed,
            }
        }
        Ok(response) if response.status() == 422 => Verdict::Invalid,
        _ => Verdict::Failed,
    });
    reload.emit(());
}

/// The door.
#[function_component(Door)]
pub fn door() -> Html {
    let events = use_state(Vec::<CampaignSummary>::new);
    let event = use_state(String::new);
    let attendees = use_state(|| None::<Attendees>);
    let verdict = use_state(|| Verdict::None);
    let search = use_state(String::new);
    let typed = use_state(String::new);
    let scanning = use_state(|| false);
    let generation = use_state(|| 0_u32);
    let video_ref = use_node_ref();

    {
        let (events, event) = (events.clone(), event.clone());
        use_effect_with((), move |()| {
            wasm_bindgen_futures::spawn_local(async move {
                if let Ok(response) = Request::get("/v1/admin/campaigns").send().await
                    && let Ok(all) = response.json::<Vec<CampaignSummary>>().await
                {
                    let found: Vec<CampaignSummary> = all
                        .into_iter()
                        .filter(|c| c.kind == CampaignKind::Event)
                        .collect();
                    if let Some(first) = found.first() {
                        event.set(first.slug.clone());
                    }
                    events.set(found);
                }
            });
        });
    }
    {
        let attendees = attendees.clone();
        use_effect_with(((*event).clone(), *generation), move |(slug, _)| {
            let slug = slug.clone();
            if !slug.is_empty() {
                wasm_bindgen_futures::spawn_local(async move {
                    let url = format!("/v1/admin/campaigns/{slug}/attendees");
                    if let Ok(response) = Request::get(&url).send().await {
                        attendees.set(response.json::<Attendees>().await.ok());
                    }
                });
            }
        });
    }
    let reload = {
        let generation = generation.clone();
        Callback::from(move |()| generation.set(*generation + 1))
    };

    // The camera: frames are read every few tenths of a second until a code is found.
    let start = {
        let (scanning, verdict, video_ref, reload) = (
            scanning.clone(),
            verdict.clone(),
            video_ref.clone(),
            reload.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let (scanning, verdict, video_ref, reload) = (
                scanning.clone(),
                verdict.clone(),
                video_ref.clone(),
                reload.clone(),
            );
            scanning.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let Some(video) = video_ref.cast::<HtmlVideoElement>() else {
                    return;
                };
                let constraints = MediaStreamConstraints::new();
                let facing = js_sys::Object::new();
                let _ = js_sys::Reflect::set(&facing, &"facingMode".into(), &"environment".into());
                constraints.set_video(&facing);
                let stream = gloo::utils::window()
                    .navigator()
                    .media_devices()
                    .and_then(|devices| devices.get_user_media_with_constraints(&constraints));
                let Ok(stream) = stream else {
                    verdict.set(Verdict::Unreadable);
                    scanning.set(false);
                    return;
                };
                let Ok(stream) = JsFuture::from(stream).await else {
                    verdict.set(Verdict::Unreadable);
                    scanning.set(false);
                    return;
                };
                let stream: MediaStream = stream.unchecked_into();
                video.set_src_object(Some(&stream));
                let _ = video.play();
                for _ in 0..300 {
                    gloo::timers::future::TimeoutFuture::new(300).await;
                    let (w, h) = (video.video_width(), video.video_height());
                    if w == 0 {
                        continue;
                    }
                    if let Some(canvas) = canvas_of(&video, w, h)
                        && let Some(token) = decode(&canvas).await
                    {
                        check(token, verdict.clone(), reload.clone()).await;
                        break;
                    }
                }
                for track in stream.get_tracks().iter() {
                    let _ = js_sys::Reflect::get(&track, &"stop".into())
                        .ok()
                        .and_then(|stop| stop.dyn_into::<js_sys::Function>().ok())
                        .map(|stop| stop.call0(&track));
                }
                video.set_src_object(None);
                scanning.set(false);
            });
        })
    };

    // A photo of the ticket, taken or chosen on the phone.
    let on_photo = {
        let (verdict, reload) = (verdict.clone(), reload.clone());
        Callback::from(move |event: Event| {
            let input: HtmlInputElement = event.target_unchecked_into();
            let Some(file) = input.files().and_then(|files| files.get(0)) else {
                return;
            };
            let (verdict, reload) = (verdict.clone(), reload.clone());
            verdict.set(Verdict::Reading);
            let Ok(decoding) = gloo::utils::window().create_image_bitmap_with_blob(&file) else {
                verdict.set(Verdict::Unreadable);
                return;
            };
            wasm_bindgen_futures::spawn_local(async move {
                let reading = async {
                    let bitmap: ImageBitmap = JsFuture::from(decoding).await.ok()?.unchecked_into();
                    let canvas = canvas_of(&bitmap, bitmap.width(), bitmap.height())?;
                    decode(&canvas).await
                };
                // A picture the browser never finishes opening counts as unreadable: the
                // volunteer is never left waiting, and can take the photo again or type the code.
                let timeout = gloo::timers::future::TimeoutFuture::new(PHOTO_TIMEOUT_MS);
                let token = match select(pin!(reading), timeout).await {
                    Either::Left((token, _)) => token,
                    Either::Right(_) => None,
                };
                match token {
                    Some(token) => check(token, verdict, reload).await,
                    None => verdict.set(Verdict::Unreadable),
                }
            });
            input.set_value("");
        })
    };

    let on_typed = {
        let (typed, verdict, reload) = (typed.clone(), verdict.clone(), reload.clone());
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let token = typed.trim().to_owned();
            if !token.is_empty() {
                wasm_bindgen_futures::spawn_local(check(token, verdict.clone(), reload.clone()));
            }
        })
    };

    let result = match &*verdict {
        Verdict::None => html! {},
        Verdict::Reading => html! { <p class="verdict" role="status">{ "Lecture du billet…" }</p> },
        Verdict::Unreadable => html! {
            <p class="verdict bad" role="alert" data-testid="verdict">{ "Le code n'a pas pu être lu. Rapprochez le billet, ou cherchez la personne par son nom." }</p>
        },
        Verdict::Invalid => html! {
            <p class="verdict bad" role="alert" data-testid="verdict">{ "✗ Billet non valable : ce code n'a pas été émis par l'association, ou il a été modifié." }</p>
        },
        Verdict::Failed => html! {
            <p class="verdict bad" role="alert">{ "Le serveur ne répond pas. Vérifiez la connexion, puis réessayez." }</p>
        },
        Verdict::Answer(answer) => {
            let who = format!(
                "{} · {} · place {}",
                answer.holder, answer.label, answer.seat
            );
            if answer.admitted {
                html! { <p class="verdict good" role="alert" data-testid="verdict">{ format!("✓ Entrée validée — {who}") }</p> }
            } else if !answer.paid {
                html! { <p class="verdict bad" role="alert" data-testid="verdict">{ format!("✗ Billet non payé — {who}") }</p> }
            } else {
                let when = answer.used_at.map(local_date_time).unwrap_or_default();
                html! { <p class="verdict bad" role="alert" data-testid="verdict">{ format!("✗ Déjà utilisé le {when} — {who}") }</p> }
            }
        }
    };

    let needle = search.to_lowercase();
    let list = attendees.as_ref().map(|list| {
        let shown = list
            .tickets
            .iter()
            .filter(|ticket| needle.is_empty() || ticket.holder.to_lowercase().contains(&needle));
        html! {
            <>
                <p class="muted" data-testid="door-count">
                    { format!("{} entrée(s) sur {} billet(s)", list.checked_in, list.tickets.len()) }
                </p>
                <ul class="attendees">
                    { for shown.map(|ticket| {
                        let token = ticket.token.clone();
                        let (verdict, reload) = (verdict.clone(), reload.clone());
                        let admit = Callback::from(move |_: MouseEvent| {
                            wasm_bindgen_futures::spawn_local(check(token.clone(), verdict.clone(), reload.clone()));
                        });
                        html! {
                            <li>
                                <span>{ format!("{} · {} · place {}", ticket.holder, ticket.label, ticket.seat) }</span>
                                if let Some(used) = ticket.used_at {
                                    <span class="muted">{ format!("entré(e) le {}", local_date_time(used)) }</span>
                                } else {
                                    <button type="button" class="secondary small" onclick={admit}>{ "Valider l'entrée" }</button>
                                }
                            </li>
                        }
                    }) }
                </ul>
            </>
        }
    });

    html! {
        <section class="door" aria-labelledby="door-title">
            <h2 id="door-title">{ "Entrées" }</h2>
            if events.is_empty() {
                <p class="muted">{ "Aucune billetterie pour l'instant." }</p>
            } else {
                <label for="door-event">{ "Événement" }</label>
                <select id="door-event" onchange={bind(&event)}>
                    { for events.iter().map(|e| html! {
                        <option value={e.slug.clone()} selected={e.slug == *event}>{ &e.title }</option>
                    }) }
                </select>
                <div class="scan">
                    <video ref={video_ref} playsinline=true muted=true hidden={!*scanning} />
                    <button type="button" onclick={start} disabled={*scanning}>{ "Scanner un billet" }</button>
                    <label class="button secondary" for="door-photo">{ "Lire une photo du billet" }</label>
                    <input id="door-photo" type="file" accept="image/*" capture="environment" class="visually-hidden" onchange={on_photo} />
                </div>
                // The verdict and the list sit in elements of their own: as bare children that
                // come and go, they would shift their siblings, which Yew would then rebuild,
                // losing a photo chosen meanwhile.
                <div class="verdict-slot">{ result }</div>
                <form onsubmit={on_typed} class="inline-form" aria-label="Saisir le code d'un billet">
                    <label for="door-code">{ "Ou le code écrit sous le QR code" }</label>
                    <input id="door-code" autocomplete="off" value={(*typed).clone()} oninput={bind(&typed)} />
                    <button type="submit" class="secondary">{ "Vérifier" }</button>
                </form>
                <label for="door-search">{ "Chercher une personne par son nom" }</label>
                <input id="door-search" type="search" value={(*search).clone()} oninput={bind(&search)} />
                <div class="attendee-list">{ for list }</div>
                <p><a href={format!("/v1/admin/campaigns/{}/attendees.csv", *event)} download="">{ "Télécharger la liste des participants (CSV)" }</a></p>
            }
        </section>
    }
}
