//! MotoVaultPro's single-page app: Leptos client-side rendering, mounted on `<body>`.

mod api;
mod app;
mod browser;
mod components;
mod format;
mod pages;
mod state;

fn main() {
    // A panic aborts the module (`RuntimeError: unreachable`); say first what panicked and where.
    std::panic::set_hook(Box::new(|info| {
        web_sys::console::error_1(&format!("panicked: {info}").into());
    }));
    leptos::mount::mount_to_body(app::App);
}
