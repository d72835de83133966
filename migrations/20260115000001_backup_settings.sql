-- backup: the schedules and retention (one row, edited in Admin → Backups), and for a scheduled
-- backup the schedules it was made for and the slot it fills (the time the schedule named: a run
-- that finds its slot filled does nothing). Neither is in an archive: a restore keeps this
-- instance's schedule, as it keeps its list of backups.
create table backup_settings (
    id            boolean primary key default true,
    daily         boolean not null default false,
    weekly        boolean not null default false,
    monthly       boolean not null default false,
    hour          smallint not null default 3,
    weekday       smallint not null default 7,
    time_zone     text not null default 'UTC',
    keep_daily    integer not null default 7,
    keep_weekly   integer not null default 4,
    keep_monthly  integer not null default 12,
    updated_at    timestamptz not null default now(),
    constraint backup_settings_one_row check (id),
    constraint backup_settings_hour_check check (hour between 0 and 23),
    -- ISO 8601: 1 is Monday, 7 is Sunday; monthly backups are made on the 1st.
    constraint backup_settings_weekday_check check (weekday between 1 and 7),
    constraint backup_settings_keep_check check (
        keep_daily between 1 and 1000 and keep_weekly between 1 and 1000
        and keep_monthly between 1 and 1000)
);
insert into backup_settings default values;

alter table backups
    add column schedules text[] not null default '{}',
    add column slot_at timestamptz null,
    add constraint backups_schedules_check check (
        schedules <@ array['daily', 'weekly', 'monthly']::text[]
        and (kind = 'scheduled') = (slot_at is not null));
create index backups_scheduled_idx on backups (slot_at desc) where kind = 'scheduled';
