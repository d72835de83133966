-- platform: the shared vehicle catalog, in its own schema (not user data: no user_id).
-- One vehicle_options row per model year × model × trim × engine × transmission.
create schema if not exists vehicles;

create table vehicles.makes (
    id    serial primary key,
    name  text not null,
    constraint makes_name_key unique (name)
);

create table vehicles.models (
    id       serial primary key,
    make_id  integer not null references vehicles.makes (id),
    name     text not null,
    constraint models_make_name_key unique (make_id, name)
);

create table vehicles.trims (
    id    serial primary key,
    name  text not null,
    constraint trims_name_key unique (name)
);

create table vehicles.engines (
    id    serial primary key,
    name  text not null,
    constraint engines_name_key unique (name)
);

create table vehicles.transmissions (
    id    serial primary key,
    name  text not null,
    constraint transmissions_name_key unique (name)
);

create table vehicles.vehicle_options (
    id               bigserial primary key,
    year             smallint not null,
    make_id          integer not null references vehicles.makes (id),
    model_id         integer not null references vehicles.models (id),
    trim_id          integer not null references vehicles.trims (id),
    engine_id        integer not null references vehicles.engines (id),
    transmission_id  integer not null references vehicles.transmissions (id),
    constraint vehicle_options_key unique (year, model_id, trim_id, engine_id, transmission_id)
);
create index vehicle_options_cascade_idx on vehicles.vehicle_options (year, make_id, model_id, trim_id);

-- World Manufacturer Identifiers (VIN positions 1–3).
create table vehicles.wmi (
    wmi           text primary key,
    manufacturer  text not null,
    make          text not null,
    country       text not null
);

-- What was loaded, so a start-up import of the same data is a no-op.
create table vehicles.catalog_imports (
    id              serial primary key,
    source          text not null,
    content_sha256  text not null,
    option_rows     integer not null,
    imported_at     timestamptz not null default now()
);
