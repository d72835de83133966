//! E-mail templates: minijinja, rendered strictly (an unknown variable is an error, not an empty
//! string), HTML bodies auto-escaped, subjects on one line. A template may use only its key's
//! variables; saving one checks that it names no other and that it renders with sample data.

use std::collections::BTreeMap;

use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use mvp_types::FieldError;

/// A stored template's three parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parts {
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
}

/// A rendered message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// The variables of a rendering, by name.
pub type Vars = BTreeMap<&'static str, String>;

/// Longest subject kept (RFC 5322 recommends lines of at most 78 characters; mail clients cut long
/// subjects anyway).
pub const SUBJECT_MAX_CHARS: usize = 200;
/// Longest body accepted when an admin saves a template.
pub const BODY_MAX_BYTES: usize = 64 * 1024;

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".html") {
            AutoEscape::Html
        } else {
            AutoEscape::None
        }
    });
    env
}

/// Renders `parts` with `vars`. The HTML body escapes every variable; the subject loses line breaks
/// (a header injection otherwise) and is cut to [`SUBJECT_MAX_CHARS`].
pub fn render(parts: &Parts, vars: &Vars) -> Result<Rendered, (&'static str, String)> {
    let env = environment();
    let one = |field: &'static str, name: &str, source: &str| {
        env.render_named_str(name, source, vars)
            .map_err(|e| (field, describe(&e)))
    };
    let subject = one("subject", "subject.txt", &parts.subject)?;
    let text = one("textBody", "body.txt", &parts.text_body)?;
    let html = one("htmlBody", "body.html", &parts.html_body)?;
    Ok(Rendered {
        subject: one_line(&subject),
        text,
        html,
    })
}

/// A subject as one trimmed line: CR, LF and other control characters become spaces.
pub fn one_line(text: &str) -> String {
    let line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
    line.chars().take(SUBJECT_MAX_CHARS).collect()
}

fn describe(err: &minijinja::Error) -> String {
    let mut message = err.kind().to_string();
    if let Some(detail) = err.detail() {
        message = format!("{message}: {detail}");
    }
    if let Some(line) = err.line() {
        message = format!("{message} (line {line})");
    }
    message
}

/// Checks an edited template: each part parses, names only `allowed` variables, and renders with
/// `sample`. Every problem names its field (`subject`, `textBody`, `htmlBody`).
pub fn check(parts: &Parts, allowed: &[String], sample: &Vars) -> Vec<FieldError> {
    let mut problems = Vec::new();
    let env = environment();
    for (field, name, source) in [
        ("subject", "subject.txt", &parts.subject),
        ("textBody", "body.txt", &parts.text_body),
        ("htmlBody", "body.html", &parts.html_body),
    ] {
        if source.trim().is_empty() {
            problems.push(FieldError::new(field, "must not be empty"));
            continue;
        }
        if source.len() > BODY_MAX_BYTES {
            problems.push(FieldError::new(
                field,
                format!("at most {BODY_MAX_BYTES} bytes"),
            ));
            continue;
        }
        let template = match env.template_from_named_str(name, source) {
            Ok(t) => t,
            Err(e) => {
                problems.push(FieldError::new(field, describe(&e)));
                continue;
            }
        };
        let mut unknown: Vec<String> = template
            .undeclared_variables(false)
            .into_iter()
            .filter(|v| !allowed.contains(v))
            .collect();
        unknown.sort();
        if !unknown.is_empty() {
            problems.push(FieldError::new(
                field,
                format!(
                    "unknown variable{} {}; this template may use {}",
                    if unknown.len() == 1 { "" } else { "s" },
                    unknown.join(", "),
                    allowed.join(", ")
                ),
            ));
            continue;
        }
        if let Err(e) = template.render(sample) {
            problems.push(FieldError::new(field, describe(&e)));
        }
    }
    problems
}

/// Sample values for every variable any template may use (previews and the check on save).
pub fn sample_vars(app_url: &str) -> Vars {
    Vars::from([
        ("app_url", app_url.trim_end_matches('/').to_owned()),
        ("email", "jane@example.com".to_owned()),
        (
            "link",
            format!(
                "{}/verify-email?token=sample",
                app_url.trim_end_matches('/')
            ),
        ),
        ("hours", "24".to_owned()),
        ("vehicle", "2019 Honda Civic".to_owned()),
        (
            "vehicle_id",
            "0190b3a4-0000-7000-8000-000000000000".to_owned(),
        ),
        ("service", "Engine Oil, Oil Filter".to_owned()),
        (
            "due",
            "on 2026-12-24 or at 45000 mi, whichever comes first".to_owned(),
        ),
        ("due_date", "2026-12-24".to_owned()),
        ("due_odometer", "45000".to_owned()),
        ("title", "Insurance card".to_owned()),
        ("document_type", "insurance".to_owned()),
        ("expiration_date", "2026-12-31".to_owned()),
        ("days_left", "14".to_owned()),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(subject: &str, text: &str, html: &str) -> Parts {
        Parts {
            subject: subject.to_owned(),
            text_body: text.to_owned(),
            html_body: html.to_owned(),
        }
    }

    #[test]
    fn html_is_escaped_and_text_is_not() {
        let vars = Vars::from([("title", "<b>Tom & Jerry</b>".to_owned())]);
        let out = render(
            &parts("{{ title }}", "{{ title }}", "<p>{{ title }}</p>"),
            &vars,
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(out.text, "<b>Tom & Jerry</b>");
        assert_eq!(out.html, "<p>&lt;b&gt;Tom &amp; Jerry&lt;&#x2f;b&gt;</p>");
        assert_eq!(out.subject, "<b>Tom & Jerry</b>");
    }

    #[test]
    fn subjects_lose_line_breaks() {
        let vars = Vars::from([("title", "a\r\nBcc: evil@example.com".to_owned())]);
        let out =
            render(&parts("Hi {{ title }}", "x", "x"), &vars).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(out.subject, "Hi a Bcc: evil@example.com");
        assert!(!out.subject.contains(['\r', '\n']));
    }

    #[test]
    fn unknown_variables_fail_rendering_and_the_check() {
        let vars = Vars::from([("title", "x".to_owned())]);
        let err = render(&parts("{{ nope }}", "x", "x"), &vars).err();
        assert_eq!(err.map(|e| e.0), Some("subject"));
        let allowed = vec!["title".to_owned()];
        let problems = check(
            &parts("{{ title }}", "{{ secret_key }}", "{% if %}"),
            &allowed,
            &vars,
        );
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["textBody", "htmlBody"]);
        assert!(problems[0].message.contains("secret_key"), "{problems:?}");
    }

    #[test]
    fn loops_and_filters_are_fine() {
        let vars = Vars::from([("title", "abc".to_owned())]);
        let allowed = vec!["title".to_owned()];
        let problems = check(
            &parts(
                "{{ title | upper }}",
                "{% for c in title %}{{ c }}{% endfor %}",
                "{{ title }}",
            ),
            &allowed,
            &vars,
        );
        assert!(problems.is_empty(), "{problems:?}");
    }
}
