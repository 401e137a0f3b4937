// Tirelire's loader. The build wraps it, with wasm-bindgen's glue, in one function, so nothing
// is added to the page's globals. It finds every <div data-tirelire-campaign>, starts the
// WebAssembly module once, and mounts one widget in each. Where WebAssembly cannot start (a
// Content-Security-Policy without 'wasm-unsafe-eval', an old browser), each div shows the same
// form in a frame served by the association's edge instead; where it cannot start in that frame
// either, the frame says so once, with a link, and never frames itself again.

// Only readable while this script first runs; everything else is relative to it.
var script = document.currentScript;
var scriptUrl = new URL(script ? script.src : "", document.baseURI);
var ownEdge = scriptUrl.origin;
var wasmUrl = new URL("__TIRELIRE_WASM__", scriptUrl);
// The wasm file's hash, so that a loader pinned with Subresource Integrity pins the module too.
var wasmIntegrity = "__TIRELIRE_WASM_INTEGRITY__";
// Other edges this deployment lets a page name in data-tirelire-edge, set when it is built.
var allowedEdges = __TIRELIRE_EDGES__;
var starting = null;

// The loader's few words, by language, taken from the widget's language files when it is
// built: { fr: { fallback_frame, fallback_link, fallback_unsupported }, … }.
var TEXTS = __TIRELIRE_TEXTS__;

// The widget's stylesheet (widget/src/style.css, minified when it is built), adopted by each
// widget's shadow root.
var STYLE = __TIRELIRE_STYLE__;

function start() {
  if (!starting) {
    starting = wasm_bindgen({ module_or_path: fetch(wasmUrl, { integrity: wasmIntegrity }) });
  }
  return starting;
}

function language(host) {
  var lang = (host.getAttribute("data-tirelire-locale") || document.documentElement.lang || "fr").slice(0, 2).toLowerCase();
  return TEXTS[lang] ? lang : "fr";
}

// The edge a widget talks to: the one that served this script, or the one the div names if
// this deployment allows it. Whoever may edit a page's attributes cannot send donors elsewhere.
function edgeFor(host) {
  var named = host.getAttribute("data-tirelire-edge");
  if (!named) {
    return ownEdge;
  }
  var origin;
  try {
    origin = new URL(named).origin;
  } catch (error) {
    origin = null;
  }
  if (origin === ownEdge || allowedEdges.indexOf(origin) >= 0) {
    return origin;
  }
  if (window.console) {
    console.warn("Tirelire: data-tirelire-edge names an edge this deployment does not allow; using " + ownEdge + ".");
  }
  return ownEdge;
}

// The edge's own donation page, framed in place of the inline form. The frame learns where to
// send the donor back (this page) and, when the donor is just back from paying, how it went.
function fallback(host, error) {
  if (window.console) {
    console.warn("Tirelire: WebAssembly cannot start on this page.", error);
  }
  var campaign = host.getAttribute("data-tirelire-campaign") || "";
  var lang = language(host);
  var texts = TEXTS[lang];
  var page = new URL("/widget/v1/page.html", edgeFor(host));
  page.searchParams.set("campaign", campaign);
  page.searchParams.set("locale", lang);
  ["color", "theme"].forEach(function (name) {
    var value = host.getAttribute("data-tirelire-" + name);
    if (value) {
      page.searchParams.set(name, value);
    }
  });

  // Already the edge's own page: framing it again would only nest the same failure.
  if (host.hasAttribute("data-tirelire-hosted")) {
    host.setAttribute("data-tirelire-state", "unsupported");
    document.title = texts.fallback_frame;
    var message = document.createElement("p");
    message.setAttribute("role", "alert");
    message.setAttribute("data-tirelire-unsupported", "");
    message.textContent = texts.fallback_unsupported;
    host.replaceChildren(message, link(page, texts));
    return;
  }
  host.setAttribute("data-tirelire-state", "fallback");

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
  var standalone = new URL(page.href);
  page.searchParams.set("return_to", here.href);

  var frame = document.createElement("iframe");
  frame.src = page.href;
  frame.title = texts.fallback_frame;
  frame.setAttribute("data-tirelire-frame", "");
  frame.style.cssText = "display:block;width:100%;max-width:36rem;height:46rem;border:0;";
  window.addEventListener("message", function (event) {
    var data = event.data;
    if (event.source === frame.contentWindow && event.origin === page.origin && data && data.tirelire === "height") {
      frame.style.height = Math.ceil(Number(data.height) || 0) + "px";
    }
  });
  host.replaceChildren(frame, link(standalone, texts));
}

// The association's colour and font, from the snippet's attributes, as the custom properties the
// widget's stylesheet reads. A value the browser cannot read is left out, not half applied.
function brand(host) {
  [["color", "--tirelire-accent", "color"], ["font", "--tirelire-font", "font-family"]].forEach(function (pair) {
    var value = host.getAttribute("data-tirelire-" + pair[0]);
    if (value && window.CSS && CSS.supports(pair[2], value)) {
      host.style.setProperty(pair[1], value);
    }
  });
}

// A link to the form on its own page, which works even where frames are refused.
function link(page, texts) {
  var anchor = document.createElement("a");
  anchor.href = page.href;
  anchor.target = "_blank";
  anchor.rel = "noopener";
  anchor.setAttribute("data-tirelire-fallback", "");
  anchor.textContent = texts.fallback_link;
  return anchor;
}

// Asks for the campaign while the WebAssembly downloads, which saves the form a round trip
// on slow connections. The widget reads the answer, or asks again if this failed.
function prefetch(host, edge) {
  var slug = host.getAttribute("data-tirelire-campaign") || "";
  if (!/^[a-z0-9-]{1,64}$/.test(slug) || !window.fetch) {
    return undefined;
  }
  var request = fetch(new URL("/v1/campaigns/" + slug, edge).href);
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
    brand(host);
    var edge = edgeFor(host);
    var campaign = prefetch(host, edge);
    // Through a promise, so that a browser without WebAssembly at all lands in the fallback.
    Promise.resolve()
      .then(start)
      .then(function () {
        wasm_bindgen.mount(host, edge, STYLE, campaign);
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
