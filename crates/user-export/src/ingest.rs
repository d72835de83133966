//! `POST /api/user/import`'s work once the file is in memory: read it (import/, on a blocking
//! thread), find or create the vehicles it names, turn each row into a fill-up or a service record in
//! the units the file was written in, and hand them to the fuel-logs and maintenance capsules in one
//! transaction — rolled back for a dry run, so the report is exactly what a real import would do.

use std::collections::HashMap;

use chrono::{Duration, NaiveTime, TimeZone as _};
use mvp_core::{AppError, AppResult, AppState, AuthUser};
use mvp_fuel_logs::domain::NewFuelLog;
use mvp_fuel_logs::import::Incoming;
use mvp_types::export::{ImportPreviewRow, ImportReport, ImportSkip};
use mvp_types::fuel::{FILL_FUEL_TYPES, FuelLogInput};
use mvp_types::ids::VehicleId;
use mvp_types::limits::{FUEL_UNITS_DP, MONEY_DP};
use mvp_types::maintenance::RecordInput;
use mvp_types::units::{LITRES_PER_GALLON, half_even};
use mvp_types::user::UnitSystem;
use mvp_types::vehicle::VehicleInput;
use sqlx::PgConnection;

use crate::import::{self, FileError, Format, FuelRow, Named, Parsed, ServiceRow, Volume};

/// Rows an import takes (besides the header).
pub const MAX_ROWS: usize = 100_000;
/// Lines the dry run shows.
const PREVIEW_ROWS: usize = 10;

/// What the caller asked for besides the file.
#[derive(Debug, Clone, Copy)]
pub struct Request {
    pub format: Format,
    pub vehicle_id: Option<VehicleId>,
    pub dry_run: bool,
}

/// Reads the file and imports it (see the module's header).
pub async fn run(
    state: &AppState,
    user: &AuthUser,
    request: Request,
    bytes: Vec<u8>,
) -> AppResult<ImportReport> {
    let format = request.format;
    let parsed = tokio::task::spawn_blocking(move || import::parse(format, &bytes, MAX_ROWS))
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("the import's reader stopped: {e}")))?
        .map_err(|e| match e {
            FileError::TooManyRows(_) => AppError::PayloadTooLarge(e.to_string()),
            other => AppError::validation("file", format!("{} ({} file)", other, format.name())),
        })?;
    let prefs = mvp_user_preferences::get(state, &user.user_id).await?;
    let needs_chosen =
        parsed.fuel.iter().any(|r| r.vehicle.is_none()) || !parsed.service.is_empty();
    let chosen = match (request.vehicle_id, needs_chosen) {
        (Some(id), _) => Some(id),
        (None, true) => {
            return Err(AppError::validation(
                "vehicleId",
                format!("choose the vehicle the {} file is for", format.name()),
            ));
        }
        (None, false) => None,
    };
    let mut tx = state.db.begin().await?;
    if let Some(id) = chosen {
        mvp_vehicles::require(&mut tx, &user.user_id, id).await?;
    }
    let named = vehicles_named(&mut tx, state, user, &parsed, prefs.unit_system).await?;
    let zone: chrono_tz::Tz = prefs.time_zone.parse().unwrap_or(chrono_tz::UTC);
    // A row without a fuel type gets its vehicle's (a hybrid's: gasoline).
    let mut fuels: HashMap<VehicleId, String> = HashMap::new();
    for id in chosen.iter().chain(named.iter()) {
        if id.0.is_nil() || fuels.contains_key(id) {
            continue;
        }
        let fuel = mvp_vehicles::fuel_type(&mut tx, &user.user_id, *id)
            .await?
            .filter(|f| FILL_FUEL_TYPES.contains(&f.as_str()))
            .unwrap_or_else(|| "gasoline".to_owned());
        fuels.insert(*id, fuel);
    }
    let mut skipped: Vec<(u64, String)> = parsed.skipped.clone();
    let mut incoming = Vec::with_capacity(parsed.fuel.len());
    for (row, minute) in with_minutes(&parsed.fuel) {
        let vehicle_id = match row.vehicle {
            None => chosen,
            Some(i) => named.get(i).copied(),
        };
        let Some(vehicle_id) = vehicle_id else {
            skipped.push((row.line, "no vehicle".to_owned()));
            continue;
        };
        let fuel = fuels.get(&vehicle_id).map_or("gasoline", String::as_str);
        let (input, units) = fuel_input(row, vehicle_id, prefs.unit_system, zone, minute, fuel);
        let local_date = row.date;
        match NewFuelLog::parse(input, units) {
            Ok(log) => incoming.push(Incoming {
                line: row.line,
                local_date,
                log,
            }),
            Err(invalid) => skipped.push((row.line, invalid.to_string())),
        }
    }
    let fuel =
        mvp_fuel_logs::import::import(&mut tx, &user.user_id, &prefs.time_zone, incoming).await?;
    let records: Vec<(u64, RecordInput)> = match chosen {
        Some(vehicle_id) => parsed
            .service
            .iter()
            .map(|row| (row.line, record_input(row, vehicle_id)))
            .collect(),
        None => Vec::new(),
    };
    let service =
        mvp_maintenance::import::import(&mut tx, &user.user_id, prefs.unit_system, records).await?;
    skipped.extend(fuel.skipped);
    skipped.extend(service.skipped);
    skipped.sort();
    let mut vehicles = fuel.vehicles;
    vehicles.extend(service.vehicles);
    vehicles.sort();
    vehicles.dedup();
    let report = ImportReport {
        imported: fuel.imported + service.imported,
        skipped: skipped
            .into_iter()
            .map(|(row, reason)| ImportSkip { row, reason })
            .collect(),
        vehicles,
        dry_run: request.dry_run,
        preview: if request.dry_run {
            preview(&parsed)
        } else {
            Vec::new()
        },
        date_order: parsed.order.map(|o| o.example().to_owned()),
        decimal_comma: parsed.decimal_comma,
    };
    if request.dry_run {
        tx.rollback().await?;
    } else {
        tx.commit().await?;
        tracing::info!(
            format = format.name(),
            imported = report.imported,
            skipped = report.skipped.len(),
            "import"
        );
    }
    Ok(report)
}

/// The vehicles the file names (by nickname, any letter case): the user's live one, else a new one.
async fn vehicles_named(
    conn: &mut PgConnection,
    state: &AppState,
    user: &AuthUser,
    parsed: &Parsed,
    units: UnitSystem,
) -> AppResult<Vec<VehicleId>> {
    let mut ids = Vec::with_capacity(parsed.named.len());
    for (i, named) in parsed.named.iter().enumerate() {
        if !parsed.fuel.iter().any(|r| r.vehicle == Some(i)) {
            ids.push(VehicleId(uuid::Uuid::nil()));
            continue;
        }
        let id = match mvp_vehicles::by_nickname(conn, &user.user_id, &named.nickname).await? {
            Some(id) => id,
            None => {
                mvp_vehicles::create(conn, &state.db, &user.user_id, vehicle_input(named), units)
                    .await?
            }
        };
        ids.push(id);
    }
    Ok(ids)
}

fn vehicle_input(named: &Named) -> VehicleInput {
    use chrono::Datelike as _;
    VehicleInput {
        nickname: Some(named.nickname.clone()),
        make: Some(named.make.clone().unwrap_or_else(|| named.nickname.clone())),
        model: Some(
            named
                .model
                .clone()
                .unwrap_or_else(|| "(imported)".to_owned()),
        ),
        year: Some(named.year.unwrap_or_else(|| chrono::Utc::now().year())),
        vin: named.vin.clone(),
        license_plate: named.plate.clone(),
        ..VehicleInput::default()
    }
}

/// Each row with the minutes after noon it is given when the file has no time: rows of one vehicle
/// on one day get 12:00, 12:01 … in odometer order, so they stay apart and in order.
fn with_minutes(rows: &[FuelRow]) -> Vec<(&FuelRow, i64)> {
    let mut order: Vec<&FuelRow> = rows.iter().collect();
    order.sort_by(|a, b| {
        (a.vehicle, a.date, a.odometer, a.line).cmp(&(b.vehicle, b.date, b.odometer, b.line))
    });
    let mut counts: HashMap<(Option<usize>, chrono::NaiveDate), i64> = HashMap::new();
    order
        .into_iter()
        .map(|row| {
            let n = counts.entry((row.vehicle, row.date)).or_insert(0);
            let minute = *n;
            *n += 1;
            (row, minute)
        })
        .collect()
}

/// A row as the fill-up API would receive it, in the unit system its distances were written in
/// (a quantity in another system's unit is converted to this one's, to 3 places, and the unit
/// price is then worked out from the total).
fn fuel_input(
    row: &FuelRow,
    vehicle_id: VehicleId,
    preferred: UnitSystem,
    zone: chrono_tz::Tz,
    minute: i64,
    vehicle_fuel: &str,
) -> (FuelLogInput, UnitSystem) {
    let units = row.distance.unwrap_or(preferred);
    let native = match units {
        UnitSystem::Metric => Volume::Litres,
        UnitSystem::Imperial => Volume::UsGallons,
    };
    let volume = row.volume.unwrap_or(native);
    let (quantity, unit_price, total) = if volume == native {
        (row.quantity, row.unit_price, row.total)
    } else {
        let total = row.total.or_else(|| {
            row.quantity
                .zip(row.unit_price)
                .map(|(q, p)| half_even(q * p, MONEY_DP))
        });
        let litres = row.quantity.map(|q| q * volume.litres());
        let converted = litres.map(|l| match units {
            UnitSystem::Metric => half_even(l, FUEL_UNITS_DP),
            UnitSystem::Imperial => half_even(l / LITRES_PER_GALLON, FUEL_UNITS_DP),
        });
        (converted, None, total)
    };
    let local = row
        .date
        .and_time(row.time.unwrap_or(NaiveTime::MIN + Duration::hours(12)))
        + if row.time.is_some() {
            Duration::zero()
        } else {
            Duration::minutes(minute)
        };
    let date_time = zone
        .from_local_datetime(&local)
        .earliest()
        .map(|t| t.with_timezone(&chrono::Utc))
        .unwrap_or_else(|| local.and_utc());
    let fuel_type = row
        .fuel_type
        .as_deref()
        .map(str::to_lowercase)
        .filter(|f| FILL_FUEL_TYPES.contains(&f.as_str()))
        .unwrap_or_else(|| vehicle_fuel.to_owned());
    (
        FuelLogInput {
            vehicle_id: Some(vehicle_id),
            date_time: Some(date_time),
            odometer_reading: row.odometer,
            trip_distance: row.trip,
            fuel_units: quantity,
            cost_per_unit: unit_price,
            total_cost: total,
            fuel_type: Some(fuel_type),
            full_fill: Some(row.full),
            missed_previous: Some(row.missed),
            notes: row.notes.clone(),
            ..FuelLogInput::default()
        },
        units,
    )
}

/// The routine-maintenance subtypes a service's description names (LubeLogger's free text).
const SUBTYPE_WORDS: &[(&str, &str)] = &[
    ("oil filter", "Oil Filter"),
    ("oil", "Engine Oil"),
    ("rotation", "Tire Rotation"),
    ("rotate", "Tire Rotation"),
    ("tire", "Tires"),
    ("tyre", "Tires"),
    ("brake fluid", "Brake Fluid"),
    ("brake", "Brakes"),
    ("cabin", "Cabin Air Filter"),
    ("air filter", "Air Filter"),
    ("coolant", "Coolant"),
    ("spark", "Spark Plugs"),
    ("transmission", "Transmission Fluid"),
    ("differential", "Differential Fluid"),
    ("power steering", "Power Steering Fluid"),
    ("battery", "Battery"),
    ("wiper", "Wiper Blades"),
    ("timing belt", "Timing Belt"),
    ("belt", "Drive Belt"),
    ("inspection", "Inspection"),
    ("alignment", "Wheel Alignment"),
    ("chain", "Chain Lubrication"),
    ("fuel filter", "Fuel Filter"),
];

/// A service row as the record API would receive it: routine maintenance with the subtypes its
/// description names, else a repair of subtype Other; the description leads the notes.
fn record_input(row: &ServiceRow, vehicle_id: VehicleId) -> RecordInput {
    let lower = row.description.to_lowercase();
    let mut subtypes: Vec<String> = Vec::new();
    let mut rest = lower.clone();
    for (word, subtype) in SUBTYPE_WORDS {
        if rest.contains(word) {
            rest = rest.replace(word, " ");
            if !subtypes.iter().any(|s| s == subtype) {
                subtypes.push((*subtype).to_owned());
            }
        }
    }
    let category = if subtypes.is_empty() {
        subtypes.push("Other".to_owned());
        "repair"
    } else {
        "routine_maintenance"
    };
    let notes = match &row.notes {
        Some(n) => format!("{} — {n}", row.description),
        None => row.description.clone(),
    };
    RecordInput {
        vehicle_id: Some(vehicle_id),
        date: Some(row.date),
        odometer_reading: row
            .odometer
            .map(|o| o.round().try_into().unwrap_or(i64::MAX)),
        category: Some(category.to_owned()),
        subtypes,
        cost: row.cost,
        notes: Some(notes),
        ..RecordInput::default()
    }
}

fn preview(parsed: &Parsed) -> Vec<ImportPreviewRow> {
    let name = |i: Option<usize>| {
        i.and_then(|i| parsed.named.get(i))
            .map(|n| n.nickname.clone())
    };
    let fuel = parsed.fuel.iter().map(|r| ImportPreviewRow {
        row: r.line,
        kind: "fuel".to_owned(),
        date: r.date,
        time: r.time,
        vehicle: name(r.vehicle),
        odometer: r.odometer,
        distance: r.trip,
        quantity: r.quantity,
        unit_price: r.unit_price,
        total: r.total,
        full_fill: Some(r.full),
        missed_previous: Some(r.missed),
        description: None,
        notes: r.notes.clone(),
    });
    let service = parsed.service.iter().map(|r| ImportPreviewRow {
        row: r.line,
        kind: "service".to_owned(),
        date: r.date,
        time: None,
        vehicle: None,
        odometer: r.odometer,
        distance: None,
        quantity: None,
        unit_price: None,
        total: r.cost,
        full_fill: None,
        missed_previous: None,
        description: Some(r.description.clone()),
        notes: r.notes.clone(),
    });
    let mut rows: Vec<ImportPreviewRow> = fuel.chain(service).collect();
    rows.sort_by_key(|r| r.row);
    rows.truncate(PREVIEW_ROWS);
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    fn service(description: &str) -> RecordInput {
        record_input(
            &ServiceRow {
                line: 2,
                date: chrono::NaiveDate::MIN,
                odometer: Some(Decimal::new(120_005, 1)),
                description: description.to_owned(),
                cost: None,
                notes: Some("shop".into()),
            },
            VehicleId(uuid::Uuid::nil()),
        )
    }

    #[test]
    fn a_description_names_routine_subtypes_or_is_a_repair() {
        let r = service("Oil change + oil filter");
        assert_eq!(r.category.as_deref(), Some("routine_maintenance"));
        assert_eq!(r.subtypes, ["Oil Filter", "Engine Oil"]);
        assert_eq!(r.odometer_reading, Some(12_000));
        assert_eq!(r.notes.as_deref(), Some("Oil change + oil filter — shop"));
        let r = service("Replaced alternator");
        assert_eq!(r.category.as_deref(), Some("repair"));
        assert_eq!(r.subtypes, ["Other"]);
    }
}
