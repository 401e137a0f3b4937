// Tirelire's loader. The build wraps it, with wasm-bindgen's glue, in one function, so nothing
// is added to the page's globals. It finds every <div data-tirelire-campaign>, starts the
// WebAssembly module once, and mounts one widget in each. Where WebAssembly cannot start (a
// Content-Security-Policy without 'wasm-unsafe-eval', an old browser), each div shows a link
// to the same form on the association's edge instead.

// Only readable while this script first runs; everything else is relative to it.
var script = document.currentScript;
var scriptUrl = new URL(script ? script.src : "", document.baseURI);
var edgeOrigin = scriptUrl.origin;
var wasmUrl = new URL("__TIRELIRE_WASM__", scriptUrl);
var starting = null;

function start() {
  if (!starting) {
    starting = wasm_bindgen({ module_or_path: wasmUrl });
  }
  return starting;
}

// The edge's own donation page, framed in place of the inline form. The frame learns where to
// send the donor back (this page) and, when the donor is just back from paying, how it went.
function fallback(host, error) {
  host.setAttribute("data-tirelire-state", "fallback");
  if (window.console) {
    console.warn("Tirelire: WebAssembly cannot start on this page; showing the form in a frame.", error);
  }
  var campaign = host.getAttribute("data-tirelire-campaign") || "";
  var lang = (host.getAttribute("data-tirelire-locale") || document.documentElement.lang || "fr").slice(0, 2);
  var english = lang.toLowerCase() === "en";
  var edge = host.getAttribute("data-tirelire-edge");
  var page = edge ? new URL("/widget/v1/page.html", edge) : new URL("page.html", scriptUrl);
  page.searchParams.set("campaign", campaign);
  page.searchParams.set("locale", english ? "en" : "fr");

  var here = new URL(location.href);
  var returning = here.searchParams.get("tirelire_campaign") === campaign;
  ["tirelire_campaign", "tirelire_order", "tirelire_result"].forEach(function (name) {
    if (returning && here.searchParams.has(name)) {
      page.searchParams.set(name, here.searchParams.get(name));
    }
    here.searchParams.delete(name);
  });
  if (returning && window.history && history.replaceState) {
    history.replaceState(history.state, "", here.href);
  }
  page.searchParams.set("return_to", here.href);

  var frame = document.createElement("iframe");
  frame.src = page.href;
  frame.title = english ? "Donation form" : "Formulaire de don";
  frame.setAttribute("data-tirelire-frame", "");
  frame.style.cssText = "display:block;width:100%;max-width:36rem;height:46rem;border:0;";
  window.addEventListener("message", function (event) {
    var data = event.data;
    if (event.source === frame.contentWindow && event.origin === page.origin && data && data.tirelire === "height") {
      frame.style.height = Math.ceil(Number(data.height) || 0) + "px";
    }
  });

  var standalone = new URL(page.href);
  standalone.searchParams.delete("return_to");
  var link = document.createElement("a");
  link.href = standalone.href;
  link.target = "_blank";
  link.rel = "noopener";
  link.setAttribute("data-tirelire-fallback", "");
  link.textContent = english ? "Open the donation form in a new tab" : "Ouvrir le formulaire de don dans un nouvel onglet";
  host.replaceChildren(frame, link);
}

// Asks for the campaign while the WebAssembly downloads, which saves the form a round trip
// on slow connections. The widget reads the answer, or asks again if this failed.
function prefetch(host) {
  var slug = host.getAttribute("data-tirelire-campaign") || "";
  if (!/^[a-z0-9-]{1,64}$/.test(slug) || !window.fetch) {
    return undefined;
  }
  var edge = host.getAttribute("data-tirelire-edge") || edgeOrigin;
  var url = new URL("/v1/campaigns/" + slug, edge);
  var request = fetch(url.href);
  // A failure here is the widget's to report, not the page's.
  request.catch(function () {});
  return request;
}

function mountAll() {
  var hosts = document.querySelectorAll("[data-tirelire-campaign]");
  Array.prototype.forEach.call(hosts, function (host) {
    // A page may carry the snippet twice; each div is claimed once.
    if (host.hasAttribute("data-tirelire-state")) {
      return;
    }
    host.setAttribute("data-tirelire-state", "starting");
    var campaign = prefetch(host);
    start()
      .then(function () {
        wasm_bindgen.mount(host, edgeOrigin, campaign);
      })
      .catch(function (error) {
        fallback(host, error);
      });
  });
}

// With `async`, this may run before the parser reaches the divs.
if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", mountAll);
} else {
  mountAll();
}
