//! `DELETE /api/user/account`: the account and everything of it go. In one transaction the account
//! is marked erased (user-profile: its tokens stop working), its admin grant revoked (refused when
//! it is the last admin), its community contributions kept without its name (stations), and then
//! every row of every table with a `user_id` column deleted — found in the catalog, so a table added
//! later is erased without anyone remembering to. After the commit the stored files (documents,
//! vehicle photos and thumbnails) are deleted. The admin audit log keeps its entries (append-only;
//! it names actors by id, not by `user_id`).

use mvp_core::admin::Revoked;
use mvp_core::{AppError, AppResult, AppState, AuthUser};
use mvp_types::ids::UserId;
use sqlx::PgConnection;

/// Tables with a `user_id` column in the application's schema, each with the rows of `user_id`.
async fn tables_with_user_rows(conn: &mut PgConnection) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar!(
        r#"select c.table_name as "table_name!"
             from information_schema.columns c
             join information_schema.tables t
               on t.table_schema = c.table_schema and t.table_name = c.table_name
            where c.table_schema = 'public' and c.column_name = 'user_id'
              and t.table_type = 'BASE TABLE'
            order by c.table_name"#
    )
    .fetch_all(conn)
    .await
}

/// Deletes the rows of `user_id` from every table that has them; returns (table, rows) for each
/// table that had any.
async fn delete_rows(
    conn: &mut PgConnection,
    user_id: &UserId,
) -> sqlx::Result<Vec<(String, u64)>> {
    let mut deleted = Vec::new();
    for table in tables_with_user_rows(conn).await? {
        // The name comes from the catalog, not from a request; quoted as an identifier anyway.
        let sql = format!(
            "delete from \"{}\" where user_id = $1",
            table.replace('"', "\"\"")
        );
        let done = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(user_id.as_str())
            .execute(&mut *conn)
            .await?;
        if done.rows_affected() > 0 {
            deleted.push((table, done.rows_affected()));
        }
    }
    Ok(deleted)
}

/// Erases the account of `user` (see the module's header). The caller has checked the password.
pub async fn erase(state: &AppState, user: &AuthUser) -> AppResult<()> {
    let user_id = &user.user_id;
    let mut files = mvp_documents::file_keys(&state.db, user_id).await?;
    files.extend(mvp_vehicles::file_keys(&state.db, user_id).await?);
    let mut tx = state.db.begin().await?;
    mvp_user_profile::mark_erased(&mut tx, user_id).await?;
    if mvp_core::admin::revoke(&mut tx, user_id, None).await? == Revoked::LastAdmin {
        return Err(AppError::Conflict(
            "you are the only administrator: make someone else an administrator first".to_owned(),
        ));
    }
    mvp_stations::anonymize(&mut tx, user_id).await?;
    let deleted = delete_rows(&mut tx, user_id).await?;
    tx.commit().await?;
    mvp_user_profile::forget_seen(state, user_id).await;
    mvp_terms_agreement::forget_accepted(state, user_id).await;
    mvp_user_preferences::forget(state, user_id);
    let mut kept = 0usize;
    for key in &files {
        if let Err(err) = state.storage.delete(key).await {
            kept += 1;
            tracing::warn!(error = %err, "an erased account's file could not be deleted");
        }
    }
    let rows: u64 = deleted.iter().map(|(_, n)| n).sum();
    tracing::info!(
        user = %user_id.short(),
        rows,
        tables = deleted.len(),
        files = files.len() - kept,
        files_left = kept,
        "account erased"
    );
    Ok(())
}
