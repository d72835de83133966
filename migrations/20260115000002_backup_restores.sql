-- backup: each restore started from the admin screen, with where it is (`stage`) while it runs and
-- what it did or why it failed after. Like the list of backups, it is not in an archive and a
-- restore leaves it as it is: the screen follows the restore across it.
create table backup_restores (
    id          uuid primary key,
    backup_id   uuid not null,
    status      text not null,
    stage       text not null,
    report      jsonb null,
    error       text null,
    started_at  timestamptz not null default now(),
    finished_at timestamptz null,
    constraint backup_restores_status_check check (status in ('running', 'done', 'failed')),
    constraint backup_restores_done_check check (status = 'running' or finished_at is not null)
);
create index backup_restores_started_idx on backup_restores (started_at desc);
