-- maintenance: service records, interval schedules, and the reminders sent for them.
create table maintenance_records (
    id                uuid primary key,
    user_id           text not null,
    vehicle_id        uuid not null,
    date              date not null,
    odometer_reading  bigint null,
    category          text not null,
    subtypes          text[] not null,
    cost              numeric null,
    shop_name         text null,
    notes             text null,
    document_ids      uuid[] not null default '{}',
    created_at        timestamptz not null default now(),
    updated_at        timestamptz not null default now(),
    deleted_at        timestamptz null,
    constraint maintenance_records_category_check
        check (category in ('routine_maintenance', 'repair', 'performance_upgrade')),
    constraint maintenance_records_odometer_check check (odometer_reading is null or odometer_reading >= 0),
    constraint maintenance_records_cost_check check (cost is null or cost >= 0)
);
create index maintenance_records_user_vehicle_date_idx on maintenance_records (user_id, vehicle_id, date desc)
    where deleted_at is null;
create trigger maintenance_records_set_updated_at before update on maintenance_records
    for each row execute function set_updated_at();

create table maintenance_schedules (
    id                     uuid primary key,
    user_id                text not null,
    vehicle_id             uuid not null,
    category               text not null,
    subtypes               text[] not null,
    interval_months        integer null,
    interval_distance      bigint null,
    -- Where counting starts when there is no service yet: the day and odometer it was created.
    baseline_date          date not null,
    baseline_odometer      bigint null,
    -- The last service as the user entered it on the schedule …
    last_service_date      date null,
    last_service_odometer  bigint null,
    -- … and as the newest record covering the schedule's subtypes says (kept by record writes).
    record_service_date      date null,
    record_service_odometer  bigint null,
    email_notifications    boolean not null default false,
    reminder_days_before   integer[] not null default '{30}',
    is_active              boolean not null default true,
    created_at             timestamptz not null default now(),
    updated_at             timestamptz not null default now(),
    deleted_at             timestamptz null,
    constraint maintenance_schedules_interval_check
        check (interval_months is not null or interval_distance is not null),
    constraint maintenance_schedules_category_check
        check (category in ('routine_maintenance', 'repair', 'performance_upgrade'))
);
create index maintenance_schedules_user_vehicle_idx on maintenance_schedules (user_id, vehicle_id)
    where deleted_at is null;
create trigger maintenance_schedules_set_updated_at before update on maintenance_schedules
    for each row execute function set_updated_at();

-- One row per reminder sent: a schedule crossing into a status for a given due point is reminded once.
create table notification_logs (
    id           uuid primary key,
    user_id      text not null,
    kind         text not null,
    subject_id   uuid not null,
    status       text not null,
    due_key      text not null,
    sent_on      date not null,
    created_at   timestamptz not null default now(),
    constraint notification_logs_once_key unique (kind, subject_id, status, due_key)
);
create index notification_logs_user_idx on notification_logs (user_id, created_at desc);
