// Starts the back-office's WebAssembly; wasm-bindgen's glue (loaded just before) defines
// wasm_bindgen. Separate from the page, so that its CSP needs no inline script.
wasm_bindgen({ module_or_path: "tirelire_admin_bg.wasm" }).then(function () {
  wasm_bindgen.start_admin(document.getElementById("admin"));
});
