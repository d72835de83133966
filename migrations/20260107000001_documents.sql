-- documents: files a user keeps for a vehicle (insurance, registration, receipts …). The bytes live in
-- object storage under `storage_key` (server-generated); `file_name` is the user's name, metadata only.
-- A delete is soft; the purge job removes the bytes after the retention period and sets `purged_at`.
create table documents (
    id               uuid primary key,
    user_id          text not null,
    vehicle_id       uuid not null,
    document_type    text not null,
    title            text not null,
    file_name        text not null,
    content_type     text not null,
    size_bytes       bigint not null,
    sha256           text not null,
    storage_key      text not null,
    issued_date      date null,
    expiration_date  date null,
    notes            text null,
    created_at       timestamptz not null default now(),
    updated_at       timestamptz not null default now(),
    deleted_at       timestamptz null,
    purged_at        timestamptz null,
    constraint documents_type_check check (document_type in
        ('insurance', 'registration', 'receipt', 'title', 'inspection', 'manual', 'other')),
    constraint documents_size_check check (size_bytes >= 0),
    constraint documents_dates_check check (
        issued_date is null or expiration_date is null or expiration_date >= issued_date),
    constraint documents_storage_key_key unique (storage_key)
);
create index documents_user_vehicle_created_idx on documents (user_id, vehicle_id, created_at desc, id desc)
    where deleted_at is null;
create index documents_user_created_idx on documents (user_id, created_at desc, id desc)
    where deleted_at is null;
create index documents_user_expiration_idx on documents (user_id, expiration_date)
    where deleted_at is null and expiration_date is not null;
create index documents_purge_idx on documents (deleted_at)
    where deleted_at is not null and purged_at is null;
create trigger documents_set_updated_at before update on documents
    for each row execute function set_updated_at();
