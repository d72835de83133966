//! The audit log (`admin_audit_logs`): every admin write appends one row in the transaction of the
//! change — who, what, which target, the target before and after, from which address. The table is
//! append-only in the database itself (a trigger refuses UPDATE, DELETE and TRUNCATE for every
//! role); nothing here changes or removes a row.

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use mvp_core::{AdminUser, AppResult, ClientInfo};
use mvp_types::admin::AuditLog;
use mvp_types::ids::{AuditLogId, UserId};
use serde::Serialize;
use serde_json::Value;
use sqlx::{PgConnection, PgPool};

/// Who is acting, and from where: made once per request from its `AdminUser` and `ClientInfo`.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: UserId,
    pub ip: Option<IpAddr>,
}

impl Actor {
    pub fn new(admin: &AdminUser, client: &ClientInfo) -> Self {
        Self {
            user_id: admin.0.user_id.clone(),
            ip: client.ip,
        }
    }
}

/// One change to record: `action` such as `catalog.make.rename`, the target, and the target as
/// it was and is (JSON of the API's own bodies).
#[derive(Debug, Clone)]
pub struct Change {
    pub action: String,
    pub target_type: &'static str,
    pub target_id: Option<String>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

impl Change {
    pub fn new(
        action: impl Into<String>,
        target_type: &'static str,
        target_id: impl ToString,
    ) -> Self {
        Self {
            action: action.into(),
            target_type,
            target_id: Some(target_id.to_string()),
            before: None,
            after: None,
        }
    }

    pub fn before(mut self, value: &impl Serialize) -> Self {
        self.before = serde_json::to_value(value).ok();
        self
    }

    pub fn after(mut self, value: &impl Serialize) -> Self {
        self.after = serde_json::to_value(value).ok();
        self
    }
}

/// Appends `change` by `actor` in the caller's transaction.
#[tracing::instrument(skip_all, fields(action = %change.action), level = "debug")]
pub async fn record(conn: &mut PgConnection, actor: &Actor, change: Change) -> AppResult<()> {
    sqlx::query!(
        "insert into admin_audit_logs (id, actor_id, action, target_type, target_id, before, after, ip)
         values ($1, $2, $3, $4, $5, $6, $7, $8)",
        AuditLogId::new() as AuditLogId,
        actor.user_id.as_str(),
        change.action,
        change.target_type,
        change.target_id,
        change.before,
        change.after,
        actor.ip.map(|ip| ip.to_canonical().to_string()),
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Filters of `GET /api/admin/audit-logs`.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// An action (`admin.grant`) or a family of them (`catalog` matches `catalog.make.create`).
    pub action: Option<String>,
    pub actor: Option<String>,
    pub target_type: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

/// The rows `filter` matches, newest first: a page of them and how many match.
#[tracing::instrument(skip_all, level = "debug")]
pub async fn list(
    pool: &PgPool,
    filter: &Filter,
    limit: i64,
    offset: i64,
) -> sqlx::Result<(Vec<AuditLog>, i64)> {
    let family = filter.action.as_ref().map(|a| format!("{a}."));
    let total = sqlx::query_scalar!(
        r#"select count(*) as "n!" from admin_audit_logs
            where ($1::text is null or action = $1 or starts_with(action, $2))
              and ($3::text is null or actor_id = $3)
              and ($4::text is null or target_type = $4)
              and ($5::timestamptz is null or created_at >= $5)
              and ($6::timestamptz is null or created_at < $6)"#,
        filter.action,
        family,
        filter.actor,
        filter.target_type,
        filter.since,
        filter.until,
    )
    .fetch_one(pool)
    .await?;
    let rows = sqlx::query_as!(
        AuditLog,
        r#"select id as "id: AuditLogId", actor_id, action, target_type, target_id, before, after, ip,
                  created_at
             from admin_audit_logs
            where ($1::text is null or action = $1 or starts_with(action, $2))
              and ($3::text is null or actor_id = $3)
              and ($4::text is null or target_type = $4)
              and ($5::timestamptz is null or created_at >= $5)
              and ($6::timestamptz is null or created_at < $6)
            order by created_at desc, id desc
            limit $7 offset $8"#,
        filter.action,
        family,
        filter.actor,
        filter.target_type,
        filter.since,
        filter.until,
        limit,
        offset,
    )
    .fetch_all(pool)
    .await?;
    Ok((rows, total))
}
