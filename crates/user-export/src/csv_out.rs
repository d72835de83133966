//! CSV lines of the export: RFC 4180 quoting, and a text cell that a spreadsheet would take for a
//! formula (`=`, `+`, `-`, `@`, a tab or a carriage return first) prefixed with `'` so opening the
//! file never runs it. Numbers are written as they are (a negative amount stays a number).

use serde_json::Value;

/// One cell.
#[derive(Debug, Clone, Copy)]
pub enum Cell<'a> {
    Text(&'a str),
    Number(&'a str),
    Json(&'a Value),
    Empty,
}

impl<'a> Cell<'a> {
    /// The cell for a JSON value: text, a number, `true`/`false`, a list joined with `; ` or an
    /// object as JSON text.
    pub fn of(value: Option<&'a Value>) -> Self {
        match value {
            None | Some(Value::Null) => Cell::Empty,
            Some(Value::String(s)) => Cell::Text(s),
            Some(Value::Number(n)) => Cell::Number(n.as_str()),
            Some(Value::Bool(true)) => Cell::Number("true"),
            Some(Value::Bool(false)) => Cell::Number("false"),
            Some(other) => Cell::Json(other),
        }
    }
}

fn quoted(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// A text that would start a formula, made inert.
pub fn defuse(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

fn render(cell: Cell<'_>) -> String {
    match cell {
        Cell::Empty => String::new(),
        Cell::Number(n) => n.to_owned(),
        Cell::Text(t) => quoted(&defuse(t)),
        Cell::Json(Value::Array(items)) => {
            let parts: Vec<String> = items
                .iter()
                .map(|item| match item {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect();
            quoted(&defuse(&parts.join("; ")))
        }
        Cell::Json(other) => quoted(&defuse(&other.to_string())),
    }
}

/// One line, ending with CRLF.
pub fn line<'a>(cells: impl Iterator<Item = Cell<'a>>) -> String {
    let mut text = cells.map(render).collect::<Vec<_>>().join(",");
    text.push_str("\r\n");
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn formulas_are_defused_numbers_are_not() {
        let values = json!({"a": "=cmd|' /C calc'!A0", "b": "-2+3", "c": -12.5, "d": "@SUM(1)",
                            "e": "plain, with \"quotes\"", "f": ["x", "y"], "g": null, "h": true});
        let cells = ["a", "b", "c", "d", "e", "f", "g", "h"].map(|k| Cell::of(values.get(k)));
        assert_eq!(
            line(cells.into_iter()),
            "'=cmd|' /C calc'!A0,'-2+3,-12.5,'@SUM(1),\"plain, with \"\"quotes\"\"\",x; y,,true\r\n"
        );
    }
}
