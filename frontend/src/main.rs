//! MotoVaultPro's single-page app: Leptos client-side rendering, mounted on `<body>`.

mod api;
mod app;
mod browser;
mod components;
mod format;
mod pages;
mod state;

fn main() {
    // A panic aborts the module (`RuntimeError: unreachable`) and with it every button on the page;
    // say first what panicked and where, then cover the dead page with one that says so.
    std::panic::set_hook(Box::new(|info| {
        web_sys::console::error_1(&format!("panicked: {info}").into());
        show_crash_page();
    }));
    leptos::mount::mount_to_body(app::App);
}

/// Written with plain DOM calls: the reactive system is gone by now. The button is a link to the
/// page itself (no script: the app's code cannot run any more), so following it reloads the app.
fn show_crash_page() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let (Some(body), Ok(panel)) = (document.body(), document.create_element("div")) else {
        return;
    };
    let here = web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_else(|| "/".to_owned());
    panel.set_class_name("crash");
    let _ = panel.set_attribute("role", "alert");
    let _ = panel.set_attribute("data-testid", "crash");
    let parts = [
        ("h1", "Something went wrong on this page", None),
        (
            "p",
            "Nothing you saved is lost. Reloading the page starts the app again.",
            None,
        ),
        ("a", "Reload the page", Some(here.as_str())),
    ];
    for (tag, text, href) in parts {
        if let Ok(el) = document.create_element(tag) {
            el.set_text_content(Some(text));
            if let Some(href) = href {
                let _ = el.set_attribute("href", href);
                el.set_class_name("btn primary");
            }
            let _ = panel.append_child(&el);
        }
    }
    let _ = body.append_child(&panel);
}
