//! One backup or restore at a time, across every replica: a session-level advisory lock, held on a
//! connection of its own for as long as the work runs. Postgres lets it go when that connection
//! ends, also when the process holding it is killed; so a `running` backup whose lock nobody holds
//! was interrupted, and [`crate::repo::expire_orphans`] marks it failed.

use sqlx::{Connection as _, PgConnection, PgPool};

/// The advisory lock's key ("mvp_back").
pub const KEY: i64 = 0x6d76_705f_6261_636b;

/// The lock, held until [`Held::release`] or until dropped (the connection closes).
#[derive(Debug)]
pub struct Held {
    conn: PgConnection,
}

impl Held {
    /// Also takes the maintenance lock ([`mvp_core::maintenance::RESTORE_LOCK_KEY`]): every replica
    /// refuses other writes until this is released (or its process dies).
    pub async fn enter_maintenance(&mut self) -> sqlx::Result<()> {
        sqlx::query_scalar!(
            r#"select true as "locked!" from pg_advisory_lock($1)"#,
            mvp_core::maintenance::RESTORE_LOCK_KEY,
        )
        .fetch_one(&mut self.conn)
        .await?;
        Ok(())
    }

    pub async fn release(self) {
        // Closing the session releases its advisory locks.
        let _ = self.conn.close().await;
    }
}

/// The lock if nobody holds it; `None` while another backup or restore runs.
pub async fn try_acquire(pool: &PgPool) -> sqlx::Result<Option<Held>> {
    let mut conn = PgConnection::connect_with(&pool.connect_options()).await?;
    let locked = sqlx::query_scalar!(r#"select pg_try_advisory_lock($1) as "locked!""#, KEY)
        .fetch_one(&mut conn)
        .await?;
    if locked {
        Ok(Some(Held { conn }))
    } else {
        let _ = conn.close().await;
        Ok(None)
    }
}
