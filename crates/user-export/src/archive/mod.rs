//! Importing this app's own export archive (`format=motovaultpro`), into a new account or back into
//! the same one. The archive is unpacked on a blocking thread into a staging directory and checked
//! against its manifest (format and version, every member's size and SHA-256, nothing unlisted, no
//! path outside the known members) before anything is written. Then, in order: vehicles (a vehicle
//! already there — same VIN, else nickname, else year/make/model — is used instead of a new one),
//! their photos, the documents with their files (a live document of the vehicle with the same bytes
//! is not added again), and in one transaction the fill-ups, service records (their documents
//! mapped to the new ids), schedules and saved stations, each with the duplicate rules of its
//! capsule. Numbers are read in the unit system of the archive's preferences. A second import of
//! the same archive adds nothing; an import stopped half-way can be run again to finish.
//!
//! Unpacking and checking the archive is in unpack.rs; reading its records and writing them are
//! here.

mod unpack;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::TimeZone as _;
use mvp_core::{AppError, AppResult, AppState, AuthUser};
use mvp_fuel_logs::domain::NewFuelLog;
use mvp_fuel_logs::import::Incoming;
use mvp_types::document::Document;
use mvp_types::export::{ImportReport, ImportSkip};
use mvp_types::fuel::FuelLogInput;
use mvp_types::ids::{DocumentId, VehicleId};
use mvp_types::maintenance::{RecordInput, ScheduleInput};
use mvp_types::station::SavedStationInput;
use mvp_types::user::UserPreferences;
use mvp_types::vehicle::VehicleInput;
use serde::de::DeserializeOwned;
use serde_json::Value;

use unpack::unpack;

/// The kinds of records an archive holds (each as `<kind>.json` and `<kind>.csv`).
pub const KINDS: &[&str] = &[
    "profile",
    "preferences",
    "vehicles",
    "fuel-logs",
    "maintenance-records",
    "maintenance-schedules",
    "documents",
    "saved-stations",
];

/// An archive on disk, unpacked and checked.
#[derive(Debug)]
struct Unpacked {
    json: HashMap<String, Vec<u8>>,
    files: HashMap<String, PathBuf>,
}

/// The records of one kind, each as the API's input type; one that does not read is reported.
fn records<T: DeserializeOwned>(
    unpacked: &Unpacked,
    kind: &str,
    skipped: &mut Vec<ImportSkip>,
) -> Vec<(u64, Value, T)> {
    let Some(bytes) = unpacked.json.get(kind) else {
        return Vec::new();
    };
    let values: Vec<Value> = match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Array(values)) => values,
        Ok(other) => vec![other],
        Err(err) => {
            skipped.push(ImportSkip {
                row: 0,
                reason: format!("{kind}.json: {err}"),
            });
            return Vec::new();
        }
    };
    values
        .into_iter()
        .enumerate()
        .filter_map(|(i, value)| {
            let row = i as u64 + 1;
            match serde_json::from_value::<T>(value.clone()) {
                Ok(record) => Some((row, value, record)),
                Err(err) => {
                    skipped.push(ImportSkip {
                        row,
                        reason: format!("{kind} #{row}: {err}"),
                    });
                    None
                }
            }
        })
        .collect()
}

fn id_of<T: std::str::FromStr>(value: &Value) -> Option<T> {
    value["id"].as_str().and_then(|s| s.parse().ok())
}

/// Imports the archive at `staged` (removed afterwards with the unpacked files) for `user`.
pub async fn run(state: &AppState, user: &AuthUser, staged: PathBuf) -> AppResult<ImportReport> {
    let dir = state
        .storage
        .staging_dir()
        .join(format!("import-{}", uuid::Uuid::now_v7()));
    tokio::fs::create_dir_all(&dir)
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("import: {e}")))?;
    let result = run_in(state, user, &staged, &dir).await;
    let _ = tokio::fs::remove_dir_all(&dir).await;
    let _ = tokio::fs::remove_file(&staged).await;
    result
}

async fn run_in(
    state: &AppState,
    user: &AuthUser,
    staged: &Path,
    dir: &Path,
) -> AppResult<ImportReport> {
    let (archive, target) = (staged.to_owned(), dir.to_owned());
    let unpacked = tokio::task::spawn_blocking(move || unpack(&archive, &target))
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("the archive reader stopped: {e}")))?
        .map_err(|reason| AppError::validation("file", reason))?;
    let user_id = &user.user_id;
    let mine = mvp_user_preferences::get(state, user_id).await?;
    let units = unpacked
        .json
        .get("preferences")
        .and_then(|b| serde_json::from_slice::<UserPreferences>(b).ok())
        .map_or(mine.unit_system, |p| p.unit_system);
    let zone: chrono_tz::Tz = mine.time_zone.parse().unwrap_or(chrono_tz::UTC);
    let mut skipped = Vec::new();
    let mut imported = 0u64;

    // Vehicles, then their photos.
    let mut vehicles: HashMap<VehicleId, VehicleId> = HashMap::new();
    let mut created = Vec::new();
    let mut tx = state.db.begin().await?;
    for (row, value, input) in records::<VehicleInput>(&unpacked, "vehicles", &mut skipped) {
        let Some(old) = id_of::<VehicleId>(&value) else {
            continue;
        };
        let new = match mvp_vehicles::find_like(&mut tx, user_id, &input).await? {
            Some(id) => id,
            None => match mvp_vehicles::create(&mut tx, &state.db, user_id, input, units).await {
                Ok(id) => {
                    imported += 1;
                    created.push((old, id));
                    id
                }
                Err(err @ AppError::Validation { .. }) => {
                    skipped.push(ImportSkip {
                        row,
                        reason: format!("vehicles #{row}: {err}"),
                    });
                    continue;
                }
                Err(other) => return Err(other),
            },
        };
        vehicles.insert(old, new);
    }
    tx.commit().await?;
    for (old, new) in &created {
        let photo = unpacked
            .files
            .iter()
            .find(|(member, _)| member.starts_with(&format!("images/{old}.")));
        if let Some((member, path)) = photo {
            let bytes = tokio::fs::read(path)
                .await
                .map_err(|e| AppError::Internal(anyhow::anyhow!("import: {e}")))?;
            if let Err(err) = mvp_vehicles::import_photo(state, user_id, *new, bytes).await {
                skipped.push(ImportSkip {
                    row: 0,
                    reason: format!("{member}: {err}"),
                });
            }
        }
    }

    // Documents with their files.
    let mut documents: HashMap<DocumentId, DocumentId> = HashMap::new();
    for (row, _, document) in records::<Document>(&unpacked, "documents", &mut skipped) {
        let Some(vehicle) = vehicles.get(&document.vehicle_id).copied() else {
            continue;
        };
        let member = unpacked
            .files
            .keys()
            .find(|m| m.starts_with(&format!("documents/{}.", document.id)))
            .cloned();
        let Some(path) = member.and_then(|m| unpacked.files.get(&m)).cloned() else {
            skipped.push(ImportSkip {
                row,
                reason: format!("documents #{row}: its file is not in the archive"),
            });
            continue;
        };
        match mvp_documents::import_file(state, user_id, vehicle, &document, path).await {
            Ok((id, added)) => {
                imported += u64::from(added);
                documents.insert(document.id, id);
            }
            Err(
                err @ (AppError::Validation { .. }
                | AppError::PayloadTooLarge(_)
                | AppError::UnsupportedMediaType(_)),
            ) => skipped.push(ImportSkip {
                row,
                reason: format!("documents #{row}: {err}"),
            }),
            Err(other) => return Err(other),
        }
    }

    // Fill-ups, records, schedules and saved stations, in one transaction.
    let mut tx = state.db.begin().await?;
    let mut stations: HashMap<String, bool> = HashMap::new();
    let mut incoming = Vec::new();
    for (row, _, mut input) in records::<FuelLogInput>(&unpacked, "fuel-logs", &mut skipped) {
        let Some(vehicle) = input.vehicle_id.and_then(|v| vehicles.get(&v)).copied() else {
            continue;
        };
        input.vehicle_id = Some(vehicle);
        if let Some(place) = input.station_id.clone() {
            let visible = match stations.get(&place) {
                Some(v) => *v,
                None => {
                    let v = mvp_stations::visible(&mut tx, user_id, &place).await?;
                    stations.insert(place, v);
                    v
                }
            };
            if !visible {
                input.station_id = None;
            }
        }
        let local_date = input
            .date_time
            .map(|t| zone.from_utc_datetime(&t.naive_utc()).date_naive())
            .unwrap_or_default();
        match NewFuelLog::parse(input, units) {
            Ok(log) => incoming.push(Incoming {
                line: row,
                local_date,
                log,
            }),
            Err(invalid) => skipped.push(ImportSkip {
                row,
                reason: format!("fuel-logs #{row}: {invalid}"),
            }),
        }
    }
    let fuel = mvp_fuel_logs::import::import(&mut tx, user_id, &mine.time_zone, incoming).await?;
    imported += fuel.imported;
    let mut records_in = Vec::new();
    for (row, _, mut input) in
        records::<RecordInput>(&unpacked, "maintenance-records", &mut skipped)
    {
        let Some(vehicle) = input.vehicle_id.and_then(|v| vehicles.get(&v)).copied() else {
            continue;
        };
        input.vehicle_id = Some(vehicle);
        input.document_ids = input
            .document_ids
            .iter()
            .filter_map(|d| documents.get(d).copied())
            .collect();
        records_in.push((row, input));
    }
    let service = mvp_maintenance::import::import(&mut tx, user_id, units, records_in).await?;
    imported += service.imported;
    let schedules: Vec<ScheduleInput> =
        records::<ScheduleInput>(&unpacked, "maintenance-schedules", &mut skipped)
            .into_iter()
            .filter_map(|(_, _, mut input)| {
                input.vehicle_id = Some(*vehicles.get(&input.vehicle_id?)?);
                Some(input)
            })
            .collect();
    let (added, schedule_skips) =
        mvp_maintenance::import::schedules(&mut tx, user_id, units, schedules).await?;
    imported += added;
    let saved: Vec<SavedStationInput> =
        records::<SavedStationInput>(&unpacked, "saved-stations", &mut skipped)
            .into_iter()
            .map(|(_, _, input)| input)
            .collect();
    let (added, station_skips) = mvp_stations::import_saved(&mut tx, user_id, saved).await?;
    imported += added;
    tx.commit().await?;

    fn reasons(kind: &'static str, list: Vec<(u64, String)>) -> impl Iterator<Item = ImportSkip> {
        list.into_iter().map(move |(row, reason)| ImportSkip {
            row,
            reason: format!("{kind} #{row}: {reason}"),
        })
    }
    skipped.extend(reasons("fuel-logs", fuel.skipped));
    skipped.extend(reasons("maintenance-records", service.skipped));
    skipped.extend(
        schedule_skips
            .into_iter()
            .chain(station_skips)
            .map(|reason| ImportSkip { row: 0, reason }),
    );
    let mut touched: Vec<VehicleId> = vehicles.values().copied().collect();
    touched.sort();
    touched.dedup();
    tracing::info!(imported, skipped = skipped.len(), "export archive imported");
    Ok(ImportReport {
        imported,
        skipped,
        vehicles: touched,
        dry_run: false,
        preview: Vec::new(),
        date_order: None,
        decimal_comma: false,
    })
}
