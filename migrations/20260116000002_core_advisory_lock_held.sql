-- core: whether a session-level advisory lock on `key` is held by anyone in this database (a
-- bigint key is stored in pg_locks as classid = the high half, objid = the low half, objsubid 1).
-- Used by the backup capsule (is a `running` backup's maker still alive?) and by maintenance mode
-- (is a restore running on some replica?).
create function advisory_lock_held(key bigint) returns boolean
language sql stable as $$
    select exists (
        select 1 from pg_locks
         where locktype = 'advisory' and granted and objsubid = 1
           and database = (select oid from pg_database where datname = current_database())
           and ((classid::bigint << 32) | objid::bigint) = key)
$$;
