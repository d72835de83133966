//! App-wide reactive state, provided once as context: runtime config, whether a session exists,
//! the user's preferences (every number re-renders when they change), and the toast queue.

use leptos::prelude::*;
use mvp_types::user::{UnitSystem, UserPreferences};
use mvp_types::RuntimeConfig;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ToastKind {
    Success,
    Error,
}

#[derive(Clone, Debug)]
pub struct Toast {
    pub id: u32,
    pub text: String,
    pub kind: ToastKind,
}

#[derive(Clone, Copy)]
pub struct Ctx {
    pub config: RwSignal<Option<RuntimeConfig>>,
    /// True once the start-up (config, session restore) is done.
    pub ready: RwSignal<bool>,
    pub signed_in: RwSignal<bool>,
    pub prefs: RwSignal<Option<UserPreferences>>,
    /// Whether the signed-in user accepted the current terms (`None` until user-status answers).
    pub terms_ok: RwSignal<Option<bool>>,
    /// Whether the signed-in user is an admin (`None` until user-status answers).
    pub is_admin: RwSignal<Option<bool>>,
    pub toasts: RwSignal<Vec<Toast>>,
    next_toast: StoredValue<u32>,
    /// What is due and the unread count (the bell); reloaded by `notify_changed`.
    pub summary: RwSignal<Option<mvp_types::notification::NotificationSummary>>,
    /// Bumped when something that changes the summary happened (a read mark, a new schedule).
    pub summary_version: RwSignal<u32>,
}

impl Ctx {
    pub fn new() -> Self {
        Self {
            config: RwSignal::new(None),
            ready: RwSignal::new(false),
            signed_in: RwSignal::new(false),
            prefs: RwSignal::new(None),
            terms_ok: RwSignal::new(None),
            is_admin: RwSignal::new(None),
            toasts: RwSignal::new(Vec::new()),
            next_toast: StoredValue::new(0),
            summary: RwSignal::new(None),
            summary_version: RwSignal::new(0),
        }
    }

    pub fn toast(&self, text: impl Into<String>, kind: ToastKind) {
        let id = self.next_toast.get_value() + 1;
        self.next_toast.set_value(id);
        self.toasts.update(|t| {
            t.push(Toast {
                id,
                text: text.into(),
                kind,
            })
        });
        let toasts = self.toasts;
        set_timeout(
            move || toasts.update(|t| t.retain(|x| x.id != id)),
            std::time::Duration::from_millis(if kind == ToastKind::Error { 7000 } else { 3500 }),
        );
    }

    /// Asks the bell to reload the summary.
    pub fn notify_changed(&self) {
        self.summary_version.update(|v| *v += 1);
    }

    pub fn success(&self, text: impl Into<String>) {
        self.toast(text, ToastKind::Success);
    }

    pub fn error(&self, text: impl Into<String>) {
        self.toast(text, ToastKind::Error);
    }

    /// The preferences, tracked (defaults until they are loaded).
    pub fn prefs(&self) -> UserPreferences {
        self.prefs.get().unwrap_or_else(default_prefs)
    }

    pub fn currency(&self) -> String {
        self.prefs().currency_code
    }

    pub fn metric(&self) -> bool {
        self.prefs().unit_system == UnitSystem::Metric
    }

    pub fn time_zone(&self) -> String {
        self.prefs().time_zone
    }
}

pub fn default_prefs() -> UserPreferences {
    UserPreferences {
        unit_system: UnitSystem::Imperial,
        currency_code: "USD".to_owned(),
        time_zone: crate::browser::browser_time_zone(),
        dark_mode: false,
        efficiency_unit: None,
    }
}

pub fn ctx() -> Ctx {
    expect_context::<Ctx>()
}
