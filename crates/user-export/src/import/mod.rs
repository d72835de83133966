//! Reading another app's CSV into fill-ups and service records, without the database: the table
//! (table.rs), the columns of each format (formats.rs), the file's date order (dates.rs) and decimal
//! separator (cells.rs), then one [`FuelRow`] or [`ServiceRow`] per line — or the line's number and
//! why it was left out. What becomes of the rows (vehicles, units, duplicates) is the caller's.

pub mod cells;
pub mod dates;
pub mod formats;
pub mod table;

use std::fmt;

use chrono::{NaiveDate, NaiveTime};
use mvp_types::user::UnitSystem;
use rust_decimal::Decimal;

use cells::Separators;
use dates::Order;
use formats::{FuelColumns, Layout, ServiceColumns};

/// The formats `POST /api/user/import?format=` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    LubeLogger,
    Fuelly,
    Fuelio,
    Generic,
}

impl Format {
    pub const NAMES: &'static str = "lubelogger, fuelly, fuelio, generic";

    pub fn parse(name: &str) -> Option<Self> {
        match name.trim().to_ascii_lowercase().as_str() {
            "lubelogger" => Some(Self::LubeLogger),
            "fuelly" => Some(Self::Fuelly),
            "fuelio" => Some(Self::Fuelio),
            "generic" => Some(Self::Generic),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::LubeLogger => "lubelogger",
            Self::Fuelly => "fuelly",
            Self::Fuelio => "fuelio",
            Self::Generic => "generic",
        }
    }
}

/// A fuel quantity's unit as the file gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Volume {
    Litres,
    UsGallons,
    ImperialGallons,
}

impl Volume {
    /// The unit system whose volume unit this is (imperial gallons are converted).
    pub fn system(self) -> UnitSystem {
        match self {
            Volume::Litres => UnitSystem::Metric,
            Volume::UsGallons | Volume::ImperialGallons => UnitSystem::Imperial,
        }
    }

    /// Litres in one of this unit.
    pub fn litres(self) -> Decimal {
        match self {
            Volume::Litres => Decimal::ONE,
            Volume::UsGallons => mvp_types::units::LITRES_PER_GALLON,
            Volume::ImperialGallons => Decimal::new(454_609, 5),
        }
    }
}

/// A vehicle the file names (Fuelly's `car_name`, Fuelio's vehicle block).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Named {
    pub nickname: String,
    pub make: Option<String>,
    pub model: Option<String>,
    pub year: Option<i32>,
    pub vin: Option<String>,
    pub plate: Option<String>,
}

/// A fill-up as the file says it; `vehicle` is an index into [`Parsed::named`], `None` for the
/// vehicle the user chose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FuelRow {
    pub line: u64,
    pub vehicle: Option<usize>,
    pub date: NaiveDate,
    pub time: Option<NaiveTime>,
    pub odometer: Option<Decimal>,
    pub trip: Option<Decimal>,
    pub quantity: Option<Decimal>,
    pub unit_price: Option<Decimal>,
    pub total: Option<Decimal>,
    pub full: bool,
    pub missed: bool,
    pub notes: Option<String>,
    pub fuel_type: Option<String>,
    pub distance: Option<UnitSystem>,
    pub volume: Option<Volume>,
}

/// A service record as the file says it (LubeLogger).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceRow {
    pub line: u64,
    pub date: NaiveDate,
    pub odometer: Option<Decimal>,
    pub description: String,
    pub cost: Option<Decimal>,
    pub notes: Option<String>,
}

/// Everything read from a file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    pub named: Vec<Named>,
    pub fuel: Vec<FuelRow>,
    pub service: Vec<ServiceRow>,
    /// Lines left out while reading, with the reason.
    pub skipped: Vec<(u64, String)>,
    /// The file's day/month order (`None`: every date starts with its year) and decimal separator,
    /// as decided.
    pub order: Option<Order>,
    pub decimal_comma: bool,
}

/// A file that cannot be imported at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileError {
    Empty,
    Header(String),
    MissingColumns(Vec<String>),
    TooManyRows(usize),
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("the file has no rows"),
            Self::Header(reason) => write!(f, "the header cannot be read: {reason}"),
            Self::MissingColumns(columns) => {
                write!(f, "the file lacks the columns: {}", columns.join(", "))
            }
            Self::TooManyRows(max) => write!(f, "the file has more than {max} rows"),
        }
    }
}

fn cell(cells: &[String], at: Option<usize>) -> &str {
    at.and_then(|i| cells.get(i)).map_or("", String::as_str)
}

/// Reads `bytes` as `format` (at most `max_rows` rows).
pub fn parse(format: Format, bytes: &[u8], max_rows: usize) -> Result<Parsed, FileError> {
    let table = table::read(bytes, max_rows).map_err(|e| FileError::TooManyRows(e.0))?;
    let semicolons = table.delimiter == b';';
    let rows = &table.rows[..];
    let mut parsed = Parsed::default();
    let (layout, rows) = match format {
        Format::Fuelio => {
            let (named, layout, log) = formats::fuelio(rows)?;
            parsed.named.push(named);
            (layout, log)
        }
        _ => {
            let header = rows.first().ok_or(FileError::Empty)?;
            let layout = match format {
                Format::LubeLogger => formats::lubelogger(header)?,
                Format::Fuelly => formats::fuelly(header)?,
                _ => formats::generic(header)?,
            };
            (layout, rows)
        }
    };
    let body = &rows[1..];
    let readable = || body.iter().filter_map(|r| r.cells.as_ref().ok());
    let (date_at, number_columns): (usize, Vec<Option<usize>>) = match &layout {
        Layout::Fuel(c) => (
            c.date,
            vec![c.odometer, c.trip, Some(c.quantity), c.unit_price, c.total],
        ),
        Layout::Service(c) => (c.date, vec![c.odometer, c.cost]),
    };
    let detected = dates::detect(readable().map(|c| cell(c, Some(date_at))));
    let order = detected.unwrap_or(Order::MonthFirst);
    let separators = Separators::detect(
        readable().flat_map(|c| number_columns.iter().map(move |at| cell(c, *at))),
        semicolons,
    );
    parsed.order = detected;
    parsed.decimal_comma = separators.decimal_comma;
    let fuelio = format == Format::Fuelio;
    for row in body {
        let cells = match &row.cells {
            Ok(cells) => cells,
            Err(reason) => {
                parsed.skipped.push((row.line, reason.clone()));
                continue;
            }
        };
        let read = match &layout {
            Layout::Fuel(c) => fuel_row(
                row.line,
                cells,
                c,
                order,
                separators,
                &mut parsed.named,
                fuelio,
            )
            .map(|r| parsed.fuel.push(r)),
            Layout::Service(c) => {
                service_row(row.line, cells, c, order, separators).map(|r| parsed.service.push(r))
            }
        };
        if let Err(reason) = read {
            parsed.skipped.push((row.line, reason));
        }
    }
    Ok(parsed)
}

fn number(
    cells: &[String],
    at: Option<usize>,
    name: &str,
    s: Separators,
) -> Result<Option<Decimal>, String> {
    cells::number(cell(cells, at), s).map_err(|e| format!("{name}: {e}"))
}

fn flag(cells: &[String], at: Option<usize>, name: &str, default: bool) -> Result<bool, String> {
    cells::flag(cell(cells, at), default).map_err(|e| format!("{name}: {e}"))
}

/// Notes with the file's tags after them.
fn notes(cells: &[String], notes: Option<usize>, tags: Option<usize>) -> Option<String> {
    let notes = cells::text(cell(cells, notes));
    match (notes, cells::text(cell(cells, tags))) {
        (Some(n), Some(t)) => Some(format!("{n} [{t}]")),
        (n, None) => n,
        (None, Some(t)) => Some(format!("[{t}]")),
    }
}

fn fuel_row(
    line: u64,
    cells: &[String],
    c: &FuelColumns,
    order: Order,
    s: Separators,
    named: &mut Vec<Named>,
    fuelio: bool,
) -> Result<FuelRow, String> {
    let (date, time) = dates::parse(cell(cells, Some(c.date)), order)?;
    let odometer = number(cells, c.odometer, "odometer", s)?.filter(|o| !(fuelio && o.is_zero()));
    let trip = number(cells, c.trip, "distance", s)?.filter(|t| !t.is_zero() || odometer.is_none());
    let quantity = number(cells, Some(c.quantity), "quantity", s)?;
    let unit_price = number(cells, c.unit_price, "unit price", s)?.filter(|p| !p.is_zero());
    let total =
        number(cells, c.total, "total", s)?.filter(|t| !t.is_zero() || unit_price.is_none());
    let mut full = flag(cells, c.full, "full", true)?;
    if flag(cells, c.partial, "partial", false)? {
        full = false;
    }
    let missed = flag(cells, c.missed, "missed", false)?;
    let vehicle = match c.car_name.map(|at| cell(cells, Some(at)).trim()) {
        Some("") => return Err("car_name is empty".to_owned()),
        Some(name) => Some(
            named
                .iter()
                .position(|n| n.nickname.eq_ignore_ascii_case(name))
                .unwrap_or_else(|| {
                    named.push(named_from_model(name, cell(cells, c.model), date));
                    named.len() - 1
                }),
        ),
        None if fuelio => Some(0),
        None => None,
    };
    Ok(FuelRow {
        line,
        vehicle,
        date,
        time,
        odometer,
        trip,
        quantity,
        unit_price,
        total,
        full,
        missed,
        notes: notes(cells, c.notes, c.tags),
        fuel_type: cells::text(cell(cells, c.fuel_type)),
        distance: c.distance,
        volume: c.volume,
    })
}

/// A Fuelly car: `model` is "Make Model" (a leading year is taken as the year).
fn named_from_model(name: &str, model: &str, first: NaiveDate) -> Named {
    use chrono::Datelike as _;
    let mut words: Vec<&str> = model.split_whitespace().collect();
    let year = words
        .first()
        .filter(|w| w.len() == 4)
        .and_then(|w| w.parse::<i32>().ok());
    if year.is_some() {
        words.remove(0);
    }
    Named {
        nickname: name.to_owned(),
        make: words.first().map(|w| (*w).to_owned()),
        model: (words.len() > 1).then(|| words[1..].join(" ")),
        year: year.or(Some(first.year())),
        vin: None,
        plate: None,
    }
}

fn service_row(
    line: u64,
    cells: &[String],
    c: &ServiceColumns,
    order: Order,
    s: Separators,
) -> Result<ServiceRow, String> {
    let (date, _) = dates::parse(cell(cells, Some(c.date)), order)?;
    let description = cells::text(cell(cells, Some(c.description)))
        .ok_or_else(|| "the description is empty".to_owned())?;
    Ok(ServiceRow {
        line,
        date,
        odometer: number(cells, c.odometer, "odometer", s)?,
        description,
        cost: number(cells, c.cost, "cost", s)?,
        notes: notes(cells, c.notes, c.tags),
    })
}
