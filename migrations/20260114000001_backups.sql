-- backup: the archives of the whole instance (database and stored files), one row each. The archive
-- itself is an object under `backups/` in the app's storage; this row says what it is and whether it
-- is complete.
create table backups (
    id            uuid primary key,
    kind          text not null,
    status        text not null,
    storage_key   text not null,
    size_bytes    bigint null,
    sha256        text null,
    schema_version bigint not null,
    app_version   text not null,
    error         text null,
    created_at    timestamptz not null default now(),
    finished_at   timestamptz null,
    constraint backups_kind_check check (kind in ('manual', 'scheduled', 'uploaded')),
    constraint backups_status_check check (status in ('running', 'ready', 'failed')),
    constraint backups_done_check check (status = 'running' or finished_at is not null)
);
create index backups_created_idx on backups (created_at desc);
