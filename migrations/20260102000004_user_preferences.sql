-- user-preferences: units, currency, time zone, dark mode. `explicitly_set` tells onboarding whether
-- the user chose them (a first read stores the defaults without setting it).
create table user_preferences (
    id              uuid primary key,
    user_id         text not null,
    unit_system     text not null default 'imperial',
    currency_code   text not null default 'USD',
    time_zone       text not null default 'UTC',
    dark_mode       boolean not null default false,
    explicitly_set  boolean not null default false,
    created_at      timestamptz not null default now(),
    updated_at      timestamptz not null default now(),
    deleted_at      timestamptz null,
    constraint user_preferences_user_id_key unique (user_id),
    constraint user_preferences_unit_system_check check (unit_system in ('imperial', 'metric')),
    constraint user_preferences_currency_check check (currency_code ~ '^[A-Z]{3}$')
);
create trigger user_preferences_set_updated_at before update on user_preferences
    for each row execute function set_updated_at();
