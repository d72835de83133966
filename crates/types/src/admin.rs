//! Bodies of `/api/admin/*` (API.md "Admin"): the user list, admin grants, the audit log, catalog
//! management and station moderation.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::AuditLogId;
use crate::station::CommunityStatus;

/// One user in the admin's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AdminUserSummary {
    /// The user id (the token's `sub`).
    pub id: String,
    pub email: Option<String>,
    pub created_at: DateTime<Utc>,
    /// The last authenticated request, to within five minutes; null before the first one was seen.
    pub last_seen_at: Option<DateTime<Utc>>,
    pub vehicle_count: i64,
    pub fuel_log_count: i64,
    pub document_count: i64,
    /// Bytes of the user's stored document files, counted as the upload quota counts them (deleted
    /// ones until they are purged). Vehicle photos are not counted: their size is not recorded.
    pub bytes_used: i64,
    pub is_admin: bool,
}

/// `POST /api/admin/admins`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GrantAdmin {
    pub user_id: String,
}

/// An admin grant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AdminGrant {
    pub user_id: String,
    pub granted_by: String,
    pub granted_at: DateTime<Utc>,
}

/// One row of the audit log: who did what to which target, with the target before and after.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct AuditLog {
    pub id: AuditLogId,
    pub actor_id: String,
    /// e.g. `admin.grant`, `catalog.make.create`, `station.approve`, `email_template.update`.
    pub action: String,
    pub target_type: String,
    pub target_id: Option<String>,
    #[cfg_attr(feature = "server", schema(value_type = Option<Object>))]
    pub before: Option<serde_json::Value>,
    #[cfg_attr(feature = "server", schema(value_type = Option<Object>))]
    pub after: Option<serde_json::Value>,
    pub ip: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// The levels of the catalog an admin can rename and delete.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum CatalogKind {
    Make,
    Model,
    Trim,
    Engine,
    Transmission,
}

impl CatalogKind {
    pub const ALL: [Self; 5] = [
        Self::Make,
        Self::Model,
        Self::Trim,
        Self::Engine,
        Self::Transmission,
    ];

    /// The singular name (`make`), as in audit actions (`catalog.make.rename`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Make => "make",
            Self::Model => "model",
            Self::Trim => "trim",
            Self::Engine => "engine",
            Self::Transmission => "transmission",
        }
    }

    /// The plural path segment (`makes`) of `/api/admin/catalog/{kind}/{id}`.
    pub fn plural(self) -> &'static str {
        match self {
            Self::Make => "makes",
            Self::Model => "models",
            Self::Trim => "trims",
            Self::Engine => "engines",
            Self::Transmission => "transmissions",
        }
    }

    pub fn from_plural(segment: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.plural() == segment)
    }
}

/// `POST /api/admin/catalog/options`: names; entries that do not exist yet are created.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewCatalogOption {
    /// A whole number (`2024`, also `2024.0`).
    #[serde(default, deserialize_with = "crate::whole::option")]
    pub year: Option<i32>,
    pub make: String,
    pub model: String,
    pub trim: String,
    pub engine: String,
    pub transmission: String,
}

/// One catalog option (a model year × model × trim × engine × transmission), with the entries' ids.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CatalogOption {
    pub id: i64,
    pub year: i32,
    pub make_id: i32,
    pub make: String,
    pub model_id: i32,
    pub model: String,
    pub trim_id: i32,
    pub trim: String,
    pub engine_id: i32,
    pub engine: String,
    pub transmission_id: i32,
    pub transmission: String,
}

/// `PUT /api/admin/catalog/{kind}/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RenameCatalogEntry {
    pub name: String,
}

/// A catalog entry after a rename.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CatalogEntry {
    pub kind: CatalogKind,
    pub id: i32,
    pub name: String,
    /// The make of a model; null for the other kinds.
    pub make: Option<String>,
}

/// How many of each the import created (or, in a dry run, would create).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CatalogCounts {
    pub makes: i64,
    pub models: i64,
    pub trims: i64,
    pub engines: i64,
    pub transmissions: i64,
    pub options: i64,
}

impl std::ops::AddAssign for CatalogCounts {
    /// Adds each count (saturating), as an import in parts sums its parts.
    fn add_assign(&mut self, other: Self) {
        self.makes = self.makes.saturating_add(other.makes);
        self.models = self.models.saturating_add(other.models);
        self.trims = self.trims.saturating_add(other.trims);
        self.engines = self.engines.saturating_add(other.engines);
        self.transmissions = self.transmissions.saturating_add(other.transmissions);
        self.options = self.options.saturating_add(other.options);
    }
}

/// A CSV line the import could not take.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct CatalogImportError {
    /// The line in the file (the header is line 1).
    pub line: u64,
    pub message: String,
}

/// `POST /api/admin/catalog/import?dryRun=`: what was (or would be) added. An import with errors
/// adds nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CatalogImportReport {
    pub dry_run: bool,
    /// Whether the rows were stored (false for a dry run and for a file with errors).
    pub applied: bool,
    /// CSV data rows read.
    pub rows: u64,
    /// Options the rows expand to (one per model year).
    pub option_rows: u64,
    pub created: CatalogCounts,
    pub errors: Vec<CatalogImportError>,
}

/// `PATCH /api/admin/stations/community/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ModerateStation {
    pub status: CommunityStatus,
    /// Shown to the reporter; required to reject.
    #[serde(default)]
    pub reason: Option<String>,
}

/// `GET /api/admin/backups`: one whole-instance backup (API.md "Backups").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Backup {
    pub id: uuid::Uuid,
    /// `manual`, `scheduled` or `uploaded`.
    pub kind: String,
    /// `running`, `ready` or `failed`.
    pub status: String,
    pub size_bytes: Option<i64>,
    /// Of the whole archive.
    pub sha256: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
    /// For a scheduled backup, the schedules it was made for (`daily`, `weekly`, `monthly`).
    #[serde(default)]
    pub schedules: Vec<String>,
}

/// `GET|PUT /api/admin/backups/settings`: when scheduled backups are made and how many are kept.
/// Daily at `hour`; weekly on `weekday` (1 Monday … 7 Sunday) at `hour`; monthly on the 1st at
/// `hour`; all in `timeZone`. Each schedule keeps its newest `keep…` backups.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BackupSettings {
    pub daily: bool,
    pub weekly: bool,
    pub monthly: bool,
    /// 0–23.
    #[serde(deserialize_with = "crate::whole::required")]
    pub hour: u8,
    /// 1 (Monday) – 7 (Sunday).
    #[serde(deserialize_with = "crate::whole::required")]
    pub weekday: u8,
    /// An IANA time zone, e.g. `Europe/Berlin`.
    pub time_zone: String,
    /// 1–1000 each.
    #[serde(deserialize_with = "crate::whole::required")]
    pub keep_daily: u32,
    #[serde(deserialize_with = "crate::whole::required")]
    pub keep_weekly: u32,
    #[serde(deserialize_with = "crate::whole::required")]
    pub keep_monthly: u32,
    /// Read-only (the server ignores it in a PUT, whatever it holds; clients read it): when the
    /// next scheduled backup is due; none while every schedule is off.
    #[serde(default)]
    #[cfg_attr(feature = "server", serde(deserialize_with = "ignored"))]
    #[cfg_attr(feature = "server", schema(read_only))]
    pub next_run_at: Option<DateTime<Utc>>,
}

/// A read-only field sent back in a PUT: whatever it holds is read past and ignored (server side).
#[cfg(feature = "server")]
fn ignored<'de, D: serde::Deserializer<'de>, T: Default>(d: D) -> Result<T, D::Error> {
    serde::de::IgnoredAny::deserialize(d)?;
    Ok(T::default())
}

/// `POST /api/admin/backups/{id}/restore` (202) and `GET /api/admin/backups/restore` (the newest):
/// a restore, where it is while it runs, and what it did or why it failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RestoreStatus {
    pub id: uuid::Uuid,
    pub backup_id: uuid::Uuid,
    /// `running`, `done` or `failed`.
    pub status: String,
    /// While running: `unpacking`, `files`, `database`, `cleanup`.
    pub stage: String,
    pub report: Option<RestoreReport>,
    pub error: Option<String>,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// What a restore put back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RestoreReport {
    pub tables: usize,
    pub rows: u64,
    pub files: usize,
    /// Stored files the backup does not hold, removed.
    pub files_removed: usize,
}
