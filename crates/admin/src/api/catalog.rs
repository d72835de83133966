//! `/api/admin/catalog/*`: add and delete options, rename and delete makes, models, trims, engines
//! and transmissions, and import CSV with a dry run. Every change is audited in its transaction and
//! shows in `/api/platform/*` on the next request (the platform capsule's catalog version).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use mvp_core::validate::single_line_text;
use mvp_core::{AdminUser, AppError, AppJson, AppResult, AppState, ClientInfo};
use mvp_platform::{catalog, manage};
use mvp_types::FieldError;
use mvp_types::admin::{
    CatalogEntry, CatalogImportReport, CatalogKind, CatalogOption, NewCatalogOption,
    RenameCatalogEntry,
};
use mvp_types::limits::CATALOG_NAME_MAX;
use serde::Deserialize;

use crate::audit::{self, Actor, Change};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OptionsQuery {
    /// Model year, e.g. 2024.
    pub year: Option<String>,
    /// Make name (any letter case).
    pub make: Option<String>,
    /// Model name (any letter case).
    pub model: Option<String>,
}

/// The options of a model year (of a make and model, when given), with the ids the editor needs.
#[utoipa::path(get, path = "/api/admin/catalog/options", tag = "admin", security(("bearer" = [])),
    params(OptionsQuery),
    responses((status = 200, body = [CatalogOption]), (status = 400, body = mvp_types::ErrorBody),
              (status = 401, body = mvp_types::ErrorBody), (status = 403, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn options(
    State(state): State<AppState>,
    _admin: AdminUser,
    Query(q): Query<OptionsQuery>,
) -> AppResult<Json<Vec<CatalogOption>>> {
    let mut details = Vec::new();
    let year = single_line_text(&mut details, "year", q.year, 10);
    let make = single_line_text(&mut details, "make", q.make, CATALOG_NAME_MAX);
    let model = single_line_text(&mut details, "model", q.model, CATALOG_NAME_MAX);
    let year = match year.map(|raw| raw.parse::<i16>().map_err(|_| raw)) {
        Some(Ok(year)) => year,
        Some(Err(raw)) => {
            details.push(FieldError::new(
                "year",
                format!("{raw:?} is not a model year"),
            ));
            0
        }
        None => {
            details.push(FieldError::new("year", "year is required"));
            0
        }
    };
    if !details.is_empty() {
        return Err(AppError::validation_many(details));
    }
    Ok(Json(
        manage::options(&state.db, year, make.as_deref(), model.as_deref()).await?,
    ))
}

/// Adds an option by names; the make, model, trim, engine and transmission that do not exist yet
/// are created. 201 with the option; 200 when it was already in the catalog.
#[utoipa::path(post, path = "/api/admin/catalog/options", tag = "admin", security(("bearer" = [])),
    request_body = NewCatalogOption,
    responses((status = 201, body = CatalogOption), (status = 200, description = "Already in the catalog", body = CatalogOption),
              (status = 400, body = mvp_types::ErrorBody), (status = 401, body = mvp_types::ErrorBody),
              (status = 403, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn add_option(
    State(state): State<AppState>,
    admin: AdminUser,
    client: ClientInfo,
    AppJson(body): AppJson<NewCatalogOption>,
) -> AppResult<(StatusCode, Json<CatalogOption>)> {
    let actor = Actor::new(&admin, &client);
    let mut tx = state.db.begin().await?;
    let (option, created) = manage::add_option(&mut tx, &body).await?;
    if created {
        audit::record(
            &mut tx,
            &actor,
            Change::new("catalog.option.create", "catalog_option", option.id).after(&option),
        )
        .await?;
    }
    tx.commit().await?;
    if created {
        catalog::changed(&state.cache).await;
        Ok((StatusCode::CREATED, Json(option)))
    } else {
        Ok((StatusCode::OK, Json(option)))
    }
}

/// Deletes one option.
#[utoipa::path(delete, path = "/api/admin/catalog/options/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 204), (status = 400, body = mvp_types::ErrorBody), (status = 401, body = mvp_types::ErrorBody),
              (status = 403, body = mvp_types::ErrorBody), (status = 404, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn delete_option(
    State(state): State<AppState>,
    admin: AdminUser,
    client: ClientInfo,
    Path(raw): Path<String>,
) -> AppResult<StatusCode> {
    let id = number_id::<i64>(&raw, "catalog option")?;
    let actor = Actor::new(&admin, &client);
    let mut tx = state.db.begin().await?;
    let before = manage::delete_option(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound("catalog option"))?;
    audit::record(
        &mut tx,
        &actor,
        Change::new("catalog.option.delete", "catalog_option", id).before(&before),
    )
    .await?;
    tx.commit().await?;
    catalog::changed(&state.cache).await;
    Ok(StatusCode::NO_CONTENT)
}

/// A numeric path id: anything else names nothing (404), like a UUID path that is not one.
fn number_id<T: std::str::FromStr>(raw: &str, what: &'static str) -> AppResult<T> {
    raw.trim().parse().map_err(|_| AppError::NotFound(what))
}

/// `{kind}/{id}` of an entry: an unknown kind or a malformed id names nothing (404).
fn entry_path(kind: &str, raw: &str) -> AppResult<(CatalogKind, i32)> {
    let kind = CatalogKind::from_plural(kind).ok_or(AppError::NotFound("catalog entry"))?;
    Ok((kind, number_id::<i32>(raw, "catalog entry")?))
}

/// Renames a make, model, trim, engine or transmission. Vehicles keep the names they were saved
/// with. 409 when another entry of the kind (of the make, for a model) has the name.
#[utoipa::path(put, path = "/api/admin/catalog/{kind}/{id}", tag = "admin", security(("bearer" = [])),
    params(("kind" = String, Path, description = "makes, models, trims, engines or transmissions"), ("id" = i32, Path)),
    request_body = RenameCatalogEntry,
    responses((status = 200, body = CatalogEntry), (status = 400, body = mvp_types::ErrorBody),
              (status = 401, body = mvp_types::ErrorBody), (status = 403, body = mvp_types::ErrorBody),
              (status = 404, body = mvp_types::ErrorBody), (status = 409, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn rename(
    State(state): State<AppState>,
    admin: AdminUser,
    client: ClientInfo,
    Path((kind, raw)): Path<(String, String)>,
    AppJson(body): AppJson<RenameCatalogEntry>,
) -> AppResult<Json<CatalogEntry>> {
    let (kind, id) = entry_path(&kind, &raw)?;
    let actor = Actor::new(&admin, &client);
    let mut tx = state.db.begin().await?;
    let (before, after) = manage::rename(&mut tx, kind, id, &body.name)
        .await?
        .ok_or(AppError::NotFound("catalog entry"))?;
    audit::record(
        &mut tx,
        &actor,
        Change::new(
            format!("catalog.{}.rename", kind.as_str()),
            "catalog_entry",
            id,
        )
        .before(&before)
        .after(&after),
    )
    .await?;
    tx.commit().await?;
    catalog::changed(&state.cache).await;
    Ok(Json(after))
}

/// Deletes a make, model, trim, engine or transmission with the options under it (a make's models
/// too). 409 naming how many vehicles still use it.
#[utoipa::path(delete, path = "/api/admin/catalog/{kind}/{id}", tag = "admin", security(("bearer" = [])),
    params(("kind" = String, Path, description = "makes, models, trims, engines or transmissions"), ("id" = i32, Path)),
    responses((status = 204), (status = 401, body = mvp_types::ErrorBody), (status = 403, body = mvp_types::ErrorBody),
              (status = 404, body = mvp_types::ErrorBody), (status = 409, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn delete_entry(
    State(state): State<AppState>,
    admin: AdminUser,
    client: ClientInfo,
    Path((kind, raw)): Path<(String, String)>,
) -> AppResult<StatusCode> {
    let (kind, id) = entry_path(&kind, &raw)?;
    let actor = Actor::new(&admin, &client);
    let mut tx = state.db.begin().await?;
    let entry = manage::entry(&mut tx, kind, id)
        .await?
        .ok_or(AppError::NotFound("catalog entry"))?;
    let used =
        mvp_vehicles::catalog_usage(&mut tx, kind, &entry.name, entry.make.as_deref()).await?;
    if used > 0 {
        let vehicles = if used == 1 { "vehicle" } else { "vehicles" };
        return Err(AppError::Conflict(format!(
            "{} {:?} is used by {used} {vehicles}",
            kind.as_str(),
            entry.name
        )));
    }
    let (before, options) = manage::delete_entry(&mut tx, kind, id)
        .await?
        .ok_or(AppError::NotFound("catalog entry"))?;
    audit::record(
        &mut tx,
        &actor,
        Change::new(
            format!("catalog.{}.delete", kind.as_str()),
            "catalog_entry",
            id,
        )
        .before(&serde_json::json!({ "entry": before, "options": options })),
    )
    .await?;
    tx.commit().await?;
    catalog::changed(&state.cache).await;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub struct ImportQuery {
    /// `true`: only report what the file would add.
    pub dry_run: Option<String>,
}

/// Imports catalog CSV (`year_from,year_to,make,model,trim,engine,transmission`). Every line is
/// checked; a file with errors adds nothing and the report names each bad line. With
/// `dryRun=true` nothing is added either, and the report says what would be.
#[utoipa::path(post, path = "/api/admin/catalog/import", tag = "admin", security(("bearer" = [])),
    params(ImportQuery), request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = CatalogImportReport), (status = 400, body = mvp_types::ErrorBody),
              (status = 401, body = mvp_types::ErrorBody), (status = 403, body = mvp_types::ErrorBody),
              (status = 413, body = mvp_types::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn import(
    State(state): State<AppState>,
    admin: AdminUser,
    client: ClientInfo,
    Query(q): Query<ImportQuery>,
    body: Bytes,
) -> AppResult<Json<CatalogImportReport>> {
    let dry_run = match q.dry_run.as_deref().map(str::trim) {
        None | Some("" | "false") => false,
        Some("true") => true,
        Some(_) => return Err(AppError::validation("dryRun", "must be true or false")),
    };
    let text = std::str::from_utf8(&body)
        .map_err(|_| AppError::validation("file", "the file is not UTF-8 text"))?;
    let actor = Actor::new(&admin, &client);
    let mut tx = state.db.begin().await?;
    let report = manage::import_csv(&mut tx, text, dry_run).await?;
    if report.applied {
        audit::record(
            &mut tx,
            &actor,
            Change::new("catalog.import", "catalog", "csv").after(&report),
        )
        .await?;
    }
    tx.commit().await?;
    if report.applied {
        catalog::changed(&state.cache).await;
        tracing::info!(options = report.created.options, "catalog CSV imported");
    }
    Ok(Json(report))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_paths_name_a_kind_and_a_number() {
        assert!(matches!(
            entry_path("makes", "12"),
            Ok((CatalogKind::Make, 12))
        ));
        assert!(matches!(
            entry_path("colours", "12"),
            Err(AppError::NotFound(_))
        ));
        assert!(matches!(
            entry_path("models", "x1"),
            Err(AppError::NotFound(_))
        ));
    }
}
