-- fuel-logs: fill-ups. What the user typed is kept as typed (with the unit system it was typed in),
-- beside exact canonical values (km, litres or kWh) and the computed segment and economy interval,
-- so stats are plain SQL aggregates and switching units never loses a digit.
create table fuel_logs (
    id                  uuid primary key,
    user_id             text not null,
    vehicle_id          uuid not null,
    date_time           timestamptz not null,
    entered_units       text not null,          -- imperial | metric: the system the numbers were typed in
    odometer_entered    numeric null,
    trip_entered        numeric null,
    fuel_units_entered  numeric not null,
    cost_per_unit_entered numeric not null,
    total_cost          numeric not null,
    fuel_type           text not null,
    fuel_grade          text null,
    full_fill           boolean not null default true,
    missed_previous     boolean not null default false,
    station_id          text null,
    location_name       text null,
    notes               text null,
    odometer_km         numeric null,           -- canonical, exact
    trip_km             numeric null,
    volume              numeric not null,       -- litres, or kWh for electric
    segment_km          numeric null,           -- distance since the previous log (computed)
    interval_km         numeric null,           -- this full fill's economy interval (computed)
    interval_volume     numeric null,
    created_at          timestamptz not null default now(),
    updated_at          timestamptz not null default now(),
    deleted_at          timestamptz null,
    constraint fuel_logs_units_check check (entered_units in ('imperial', 'metric')),
    constraint fuel_logs_amounts_check check (fuel_units_entered > 0 and cost_per_unit_entered >= 0 and total_cost >= 0),
    constraint fuel_logs_distance_check check (odometer_entered is not null or trip_entered is not null)
);
create index fuel_logs_user_vehicle_time_idx on fuel_logs (user_id, vehicle_id, date_time)
    where deleted_at is null;
create index fuel_logs_user_time_idx on fuel_logs (user_id, date_time desc) where deleted_at is null;
create trigger fuel_logs_set_updated_at before update on fuel_logs
    for each row execute function set_updated_at();
