-- Stations (mvp-stations): community-reported stations, the Google places users have seen, each
-- user's saved stations and pump price reports.

-- A station a user reported. Only its reporter sees it until an admin approves it.
create table community_stations (
    id uuid primary key,
    reported_by text not null,
    name text not null,
    address text not null,
    latitude double precision not null check (latitude between -90 and 90),
    longitude double precision not null check (longitude between -180 and 180),
    brand text,
    fuel_types text[] not null default '{}',
    status text not null default 'pending' check (status in ('pending', 'approved', 'rejected')),
    reason text,
    reviewed_by text,
    reviewed_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);

-- The bounding-box filter of a search: a GiST index over the point (longitude, latitude).
create index community_stations_location on community_stations using gist (point(longitude, latitude));
create index community_stations_reporter on community_stations (reported_by, created_at desc);
create index community_stations_status on community_stations (status, created_at) where status = 'pending';

-- Google places that a search returned: what a fill-up's or a price report's placeId names.
-- Not user data (Google's public listing), refreshed whenever a search sees the place again.
create table places (
    place_id text primary key,
    name text not null,
    address text not null,
    latitude double precision not null,
    longitude double precision not null,
    seen_at timestamptz not null default now()
);

-- A user's own stations: favourites, nicknames, notes.
create table saved_stations (
    user_id text not null,
    place_id text not null,
    source text not null check (source in ('google', 'community')),
    name text not null,
    address text not null,
    latitude double precision not null check (latitude between -90 and 90),
    longitude double precision not null check (longitude between -180 and 180),
    nickname text,
    notes text,
    is_favorite boolean not null default false,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (user_id, place_id)
);

-- Pump prices as users report them; a station shows the latest per fuel type.
create table station_prices (
    id bigint generated always as identity primary key,
    place_id text not null,
    user_id text not null,
    fuel_type text not null,
    price numeric(12, 3) not null check (price > 0),
    reported_at timestamptz not null default now()
);

create index station_prices_latest on station_prices (place_id, fuel_type, reported_at desc);
create index station_prices_reporter on station_prices (user_id, place_id, reported_at desc);
