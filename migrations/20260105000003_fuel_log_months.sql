-- fuel-logs: per-vehicle monthly roll-ups (months in the user's time zone), kept current by every
-- write, so stats and list totals read a few hundred rows instead of every fill-up.
create table fuel_log_months (
    user_id                 text not null,
    vehicle_id              uuid not null,
    time_zone               text not null,
    month                   date not null,
    log_count               bigint not null,
    liquid_count            bigint not null,
    total_cost              numeric not null,
    liquid_volume           numeric not null,
    energy_volume           numeric not null,
    distance_km             numeric not null,
    liquid_interval_km      numeric not null,
    liquid_interval_volume  numeric not null,
    energy_interval_km      numeric not null,
    energy_interval_volume  numeric not null,
    constraint fuel_log_months_pkey primary key (user_id, vehicle_id, month)
);
