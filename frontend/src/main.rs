//! MotoVaultPro's single-page app: Leptos client-side rendering, mounted on `<body>`.

mod api;
mod app;
mod browser;
mod components;
mod format;
mod pages;
mod state;

fn main() {
    leptos::mount::mount_to_body(app::App);
}
