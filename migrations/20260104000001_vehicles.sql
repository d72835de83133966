-- vehicles: the user's vehicles. Soft delete; a VIN is unique per user among live vehicles.
create table vehicles (
    id                  uuid primary key,
    user_id             text not null,
    vin                 text null,
    year                smallint not null,
    make                text not null,
    model               text not null,
    trim_level          text null,
    engine              text null,
    transmission        text null,
    drive_type          text null,
    fuel_type           text null,
    nickname            text null,
    color               text null,
    license_plate       text null,
    odometer_reading    bigint not null default 0,
    purchase_date       date null,
    purchase_price      numeric null,
    notes               text null,
    image_key           text null,
    thumb_key           text null,
    image_content_type  text null,
    created_at          timestamptz not null default now(),
    updated_at          timestamptz not null default now(),
    deleted_at          timestamptz null,
    constraint vehicles_odometer_check check (odometer_reading >= 0),
    constraint vehicles_price_check check (purchase_price is null or purchase_price >= 0)
);
create unique index vehicles_user_vin_key on vehicles (user_id, vin)
    where deleted_at is null and vin is not null;
create index vehicles_user_created_idx on vehicles (user_id, created_at desc, id)
    where deleted_at is null;
create trigger vehicles_set_updated_at before update on vehicles
    for each row execute function set_updated_at();
