//! Which column holds what, per format: LubeLogger's fuel and service exports, Fuelly's export
//! (units told by its column names), Fuelio's backup (a `## Vehicle` block telling name and units,
//! then the `## Log` block) and a generic file whose header names its columns.

use mvp_types::user::UnitSystem;

use super::table::{Row, normalize};
use super::{FileError, Named, Volume};

/// The columns of a fill-up file (indexes into a row).
#[derive(Debug, Clone, Default)]
pub struct FuelColumns {
    pub date: usize,
    pub odometer: Option<usize>,
    pub trip: Option<usize>,
    pub quantity: usize,
    pub unit_price: Option<usize>,
    pub total: Option<usize>,
    pub full: Option<usize>,
    pub partial: Option<usize>,
    pub missed: Option<usize>,
    pub notes: Option<usize>,
    pub tags: Option<usize>,
    pub fuel_type: Option<usize>,
    /// Fuelly's `car_name` (and `model`): the vehicle by nickname.
    pub car_name: Option<usize>,
    pub model: Option<usize>,
    /// The units the file's numbers are in, when it says (else the user's).
    pub distance: Option<UnitSystem>,
    pub volume: Option<Volume>,
}

/// The columns of a service-record file (LubeLogger's service, repair and upgrade exports).
#[derive(Debug, Clone, Default)]
pub struct ServiceColumns {
    pub date: usize,
    pub odometer: Option<usize>,
    pub description: usize,
    pub cost: Option<usize>,
    pub notes: Option<usize>,
    pub tags: Option<usize>,
}

/// What a file holds once its header is read.
#[derive(Debug, Clone)]
pub enum Layout {
    Fuel(FuelColumns),
    Service(ServiceColumns),
}

/// A header, normalised, with lookups by any of several names.
struct Header(Vec<String>);

impl Header {
    fn of(row: &Row) -> Result<Self, FileError> {
        match &row.cells {
            Ok(cells) => Ok(Self(cells.iter().map(|c| normalize(c)).collect())),
            Err(reason) => Err(FileError::Header(reason.clone())),
        }
    }
    fn find(&self, names: &[&str]) -> Option<usize> {
        names
            .iter()
            .find_map(|n| self.0.iter().position(|h| h == n))
    }
    fn has(&self, name: &str) -> bool {
        self.0.iter().any(|h| h == name)
    }
}

/// Collects the names of required columns that are missing.
struct Required<'a> {
    header: &'a Header,
    missing: Vec<String>,
}

impl Required<'_> {
    fn need(&mut self, names: &[&str], shown: &str) -> usize {
        self.header.find(names).unwrap_or_else(|| {
            self.missing.push(shown.to_owned());
            0
        })
    }
    fn done(self) -> Result<(), FileError> {
        if self.missing.is_empty() {
            Ok(())
        } else {
            Err(FileError::MissingColumns(self.missing))
        }
    }
}

/// LubeLogger: a fuel export (`FuelConsumed`) or a service/repair/upgrade export (`Description`).
pub fn lubelogger(header: &Row) -> Result<Layout, FileError> {
    let h = Header::of(header)?;
    if h.has("description") && !h.has("fuelconsumed") {
        let mut r = Required {
            header: &h,
            missing: Vec::new(),
        };
        let columns = ServiceColumns {
            date: r.need(&["date"], "Date"),
            odometer: Some(r.need(&["odometer"], "Odometer")),
            description: r.need(&["description"], "Description"),
            cost: Some(r.need(&["cost"], "Cost")),
            notes: h.find(&["notes"]),
            tags: h.find(&["tags"]),
        };
        r.done()?;
        return Ok(Layout::Service(columns));
    }
    let mut r = Required {
        header: &h,
        missing: Vec::new(),
    };
    let columns = FuelColumns {
        date: r.need(&["date"], "Date"),
        odometer: Some(r.need(&["odometer"], "Odometer")),
        quantity: r.need(&["fuelconsumed"], "FuelConsumed"),
        total: Some(r.need(&["cost"], "Cost")),
        full: h.find(&["isfilltofull"]),
        missed: h.find(&["missedfuelup"]),
        notes: h.find(&["notes"]),
        tags: h.find(&["tags"]),
        ..FuelColumns::default()
    };
    r.done()?;
    Ok(Layout::Fuel(columns))
}

/// Fuelly: `miles`/`gallons` or `km`/`litres` columns tell the units.
pub fn fuelly(header: &Row) -> Result<Layout, FileError> {
    let h = Header::of(header)?;
    let mut r = Required {
        header: &h,
        missing: Vec::new(),
    };
    let date = r.need(&["fuelupdate", "date"], "fuelup_date");
    let distance = if h.has("miles") {
        Some(UnitSystem::Imperial)
    } else if h.find(&["km", "kilometers", "kilometres"]).is_some() {
        Some(UnitSystem::Metric)
    } else {
        None
    };
    let volume = if h.has("gallons") {
        Some(Volume::UsGallons)
    } else if h.find(&["litres", "liters"]).is_some() {
        Some(Volume::Litres)
    } else {
        None
    };
    let quantity = r.need(&["gallons", "litres", "liters"], "gallons (or litres)");
    let odometer = h.find(&["odometer"]);
    let trip = h.find(&["miles", "km", "kilometers", "kilometres"]);
    if odometer.is_none() && trip.is_none() {
        r.missing.push("odometer (or miles, km)".to_owned());
    }
    let unit_price = r.need(&["price"], "price");
    r.done()?;
    Ok(Layout::Fuel(FuelColumns {
        date,
        odometer,
        trip,
        quantity,
        unit_price: Some(unit_price),
        partial: h.find(&["partialfuelup"]),
        missed: h.find(&["missedfuelup"]),
        notes: h.find(&["notes"]),
        tags: h.find(&["tags"]),
        car_name: h.find(&["carname"]),
        model: h.find(&["model"]),
        distance: distance.or(volume.map(Volume::system)),
        volume,
        ..FuelColumns::default()
    }))
}

/// A generic file: the header names the columns (several spellings each).
pub fn generic(header: &Row) -> Result<Layout, FileError> {
    let h = Header::of(header)?;
    let mut r = Required {
        header: &h,
        missing: Vec::new(),
    };
    let date = r.need(
        &["date", "datetime", "fuelupdate", "filldate", "data"],
        "date",
    );
    let odometer = h.find(&["odometer", "odo", "mileage", "odometerreading"]);
    let trip = h.find(&["trip", "tripdistance", "distance"]);
    if odometer.is_none() && trip.is_none() {
        r.missing.push("odometer (or trip)".to_owned());
    }
    let quantity = r.need(
        &[
            "quantity",
            "fuelunits",
            "fuel",
            "volume",
            "litres",
            "liters",
            "gallons",
            "amount",
        ],
        "quantity",
    );
    let unit_price = h.find(&[
        "unitprice",
        "price",
        "priceperunit",
        "costperunit",
        "pricepergallon",
        "priceperlitre",
        "priceperliter",
    ]);
    let total = h.find(&["total", "totalcost", "cost"]);
    if unit_price.is_none() && total.is_none() {
        r.missing.push("unit price (or total)".to_owned());
    }
    r.done()?;
    Ok(Layout::Fuel(FuelColumns {
        date,
        odometer,
        trip,
        quantity,
        unit_price,
        total,
        full: h.find(&["full", "fullfill", "filltofull", "isfilltofull"]),
        partial: h.find(&["partial", "partialfill", "partialfuelup"]),
        missed: h.find(&["missed", "missedfuelup", "missedprevious"]),
        notes: h.find(&["notes", "note", "comment", "comments"]),
        tags: h.find(&["tags"]),
        fuel_type: h.find(&["fueltype"]),
        ..FuelColumns::default()
    }))
}

/// Fuelio: the rows of its `## Log` block with the vehicle its `## Vehicle` block names (and the
/// units it says). Returns the vehicle, the log's layout and the log's rows (header first).
pub fn fuelio(rows: &[Row]) -> Result<(Named, Layout, &[Row]), FileError> {
    let section = |name: &str| {
        rows.iter().position(|r| {
            r.cells
                .as_ref()
                .is_ok_and(|c| c.first().is_some_and(|f| f.trim() == name))
        })
    };
    let (Some(vehicle_at), Some(log_at)) = (section("## Vehicle"), section("## Log")) else {
        return Err(FileError::MissingColumns(vec![
            "the \"## Vehicle\" and \"## Log\" sections of a Fuelio backup".to_owned(),
        ]));
    };
    let header = rows.get(vehicle_at + 1).ok_or(FileError::Empty)?;
    let vh = Header::of(header)?;
    let values = rows
        .get(vehicle_at + 2)
        .and_then(|r| r.cells.as_ref().ok())
        .filter(|c| !c.first().is_some_and(|f| f.starts_with("##")))
        .ok_or_else(|| FileError::MissingColumns(vec!["the vehicle's row".to_owned()]))?;
    let cell = |names: &[&str]| {
        vh.find(names)
            .and_then(|i| values.get(i))
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let nickname = cell(&["name"])
        .ok_or_else(|| FileError::MissingColumns(vec!["Name (the vehicle's name)".to_owned()]))?;
    let distance = match cell(&["distunit"]).as_deref() {
        Some("1") => UnitSystem::Imperial,
        _ => UnitSystem::Metric,
    };
    let volume = match cell(&["fuelunit"]).as_deref() {
        Some("1") => Volume::UsGallons,
        Some("2") => Volume::ImperialGallons,
        _ => Volume::Litres,
    };
    let named = Named {
        nickname,
        make: cell(&["make"]),
        model: cell(&["model"]),
        year: cell(&["year"]).and_then(|y| y.parse().ok()),
        vin: cell(&["vin"]),
        plate: cell(&["plate"]),
    };
    let end = rows[log_at + 1..]
        .iter()
        .position(|r| {
            r.cells
                .as_ref()
                .is_ok_and(|c| c.first().is_some_and(|f| f.trim().starts_with("##")))
        })
        .map_or(rows.len(), |p| log_at + 1 + p);
    let log = &rows[log_at + 1..end];
    let header = log.first().ok_or(FileError::Empty)?;
    let h = Header::of(header)?;
    let mut r = Required {
        header: &h,
        missing: Vec::new(),
    };
    let columns = FuelColumns {
        date: r.need(&["data", "date"], "Data"),
        odometer: Some(r.need(&["odo"], "Odo")),
        quantity: r.need(&["fuel"], "Fuel"),
        total: h.find(&["price"]),
        unit_price: h.find(&["volumeprice"]),
        full: h.find(&["full"]),
        missed: h.find(&["missed"]),
        notes: h.find(&["notes"]),
        distance: Some(distance),
        volume: Some(volume),
        ..FuelColumns::default()
    };
    if columns.total.is_none() && columns.unit_price.is_none() {
        r.missing.push("Price (or VolumePrice)".to_owned());
    }
    r.done()?;
    Ok((named, Layout::Fuel(columns), log))
}
