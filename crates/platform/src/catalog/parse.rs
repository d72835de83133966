//! Parsing the catalog and WMI CSVs: each catalog row checked (its years, one option each, are
//! expanded by the insert, in Postgres), every bad line named.

use anyhow::{Context as _, bail};
use mvp_types::admin::CatalogImportError;
use serde::Deserialize;

use super::FIRST_YEAR;

#[derive(Debug, Deserialize)]
struct CatalogRecord {
    year_from: i16,
    year_to: i16,
    make: String,
    model: String,
    trim: String,
    engine: String,
    transmission: String,
}

#[derive(Debug, Deserialize)]
pub(super) struct WmiRecord {
    pub(super) wmi: String,
    pub(super) manufacturer: String,
    pub(super) make: String,
    pub(super) country: String,
}

/// Column arrays for one bulk insert: one entry per CSV row, which stands for one option per year
/// from `years_from` to `years_to`. (Expanded to one entry per option here, the embedded catalog's
/// 8,224 rows became 43,670 entries of five strings each, and ~12 MiB of passing allocations at a
/// first start.)
#[derive(Debug, Default)]
pub struct CatalogRows {
    pub years_from: Vec<i16>,
    pub years_to: Vec<i16>,
    pub makes: Vec<String>,
    pub models: Vec<String>,
    pub trims: Vec<String>,
    pub engines: Vec<String>,
    pub transmissions: Vec<String>,
}

impl CatalogRows {
    /// The options the rows stand for: one per model year of each.
    pub fn options(&self) -> u64 {
        self.years_from
            .iter()
            .zip(&self.years_to)
            .map(|(from, to)| u64::try_from(i32::from(*to) - i32::from(*from) + 1).unwrap_or(0))
            .sum()
    }
}

/// Parses catalog CSV text (header `year_from,year_to,make,model,trim,engine,transmission`).
pub fn parse_catalog(text: &str) -> anyhow::Result<CatalogRows> {
    let (rows, _, errors) = parse_catalog_lines(text);
    if let Some(first) = errors.first() {
        bail!("catalog row {}: {}", first.line, first.message);
    }
    Ok(rows)
}

/// Parses catalog CSV text, keeping every good row and naming every bad line: the rows, how many
/// CSV rows were read, and the errors.
pub fn parse_catalog_lines(text: &str) -> (CatalogRows, u64, Vec<CatalogImportError>) {
    let mut out = CatalogRows::default();
    let mut errors = Vec::new();
    let mut read = 0;
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    for record in reader.deserialize::<CatalogRecord>() {
        read += 1;
        let row = match record {
            Ok(row) => row,
            Err(e) => {
                let line = e.position().map_or(read + 1, |p| p.line());
                let message = match e.kind() {
                    csv::ErrorKind::Deserialize { err, .. } => err.to_string(),
                    _ => e.to_string(),
                };
                errors.push(CatalogImportError { line, message });
                continue;
            }
        };
        let line = read + 1;
        if let Err(message) = check_record(&row) {
            errors.push(CatalogImportError { line, message });
            continue;
        }
        out.years_from.push(row.year_from);
        out.years_to.push(row.year_to);
        out.makes.push(row.make.trim().to_owned());
        out.models.push(row.model.trim().to_owned());
        out.trims.push(row.trim.trim().to_owned());
        out.engines.push(row.engine.trim().to_owned());
        out.transmissions.push(row.transmission.trim().to_owned());
    }
    (out, read, errors)
}

/// The rules of one row: a year range within the catalog's years, and every name given.
fn check_record(row: &CatalogRecord) -> Result<(), String> {
    let last_year = crate::manage::last_year();
    if row.year_from < FIRST_YEAR || row.year_to > last_year || row.year_to < row.year_from {
        return Err(format!(
            "bad year range {}-{} (years run from {FIRST_YEAR} to {last_year})",
            row.year_from, row.year_to
        ));
    }
    let fields = [
        ("make", &row.make),
        ("model", &row.model),
        ("trim", &row.trim),
        ("engine", &row.engine),
        ("transmission", &row.transmission),
    ];
    let mut details = Vec::new();
    for (name, value) in fields {
        crate::manage::name(name, value, &mut details);
    }
    match details.first() {
        Some(d) => Err(format!("{}: {}", d.field, d.message)),
        None => Ok(()),
    }
}

pub(super) fn parse_wmi(text: &str) -> anyhow::Result<Vec<WmiRecord>> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    reader
        .deserialize::<WmiRecord>()
        .enumerate()
        .map(|(line, r)| r.with_context(|| format!("wmi row {}", line + 2)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{CATALOG_CSV, WMI_CSV};

    #[test]
    fn rows_keep_their_year_ranges_and_names() {
        let csv = "year_from,year_to,make,model,trim,engine,transmission\n\
                   2016,2018,Honda,Civic,LX,2.0L I4,CVT\n\
                   2020,2020,Tesla,Model 3,\"Long Range, AWD\",Electric (Dual Motor),1-Speed Direct Drive\n";
        let rows = parse_catalog(csv).unwrap_or_else(|e| panic!("{e:#}"));
        assert_eq!(rows.years_from, [2016, 2020]);
        assert_eq!(rows.years_to, [2018, 2020]);
        assert_eq!(rows.trims[1], "Long Range, AWD");
        assert_eq!(rows.options(), 4);
    }

    #[test]
    fn a_reversed_year_range_is_an_error_naming_the_row() {
        let csv = "year_from,year_to,make,model,trim,engine,transmission\n2019,2018,A,B,C,D,E\n";
        let err = parse_catalog(csv)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("row 2"), "{err}");
    }

    #[test]
    fn the_embedded_data_parses() {
        let rows = parse_catalog(CATALOG_CSV).unwrap_or_else(|e| panic!("{e:#}"));
        assert!(
            rows.years_from.len() > 1000,
            "only {} catalog rows",
            rows.years_from.len()
        );
        assert!(parse_wmi(WMI_CSV).map(|w| w.len()).unwrap_or(0) > 100);
    }
}
