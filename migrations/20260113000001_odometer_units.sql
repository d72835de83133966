-- Odometers keep their units. Until now a vehicle's odometer, a maintenance record's odometer and a
-- schedule's distances (its interval, its baseline, its last service and the last service its
-- records gave) were stored as the number typed, in whichever unit system the user had then, and
-- shown unconverted after a switch: 10,000 miles became "10,000 km". From here each is stored in
-- kilometres (exact: 1 mi = 1.609344 km, by definition) beside the whole number typed and the unit
-- system it was typed in (`entered_units`), as fill-ups already were; the API shows the number typed
-- to a reader of the same system and the converted length to the other.
--
-- Which system an existing row was typed in. Nothing recorded it, so it is inferred at the time the
-- row was last written (its updated_at), from the first of these that tells:
--   1. the user's preferences: when they were last changed at or before that time (so the current
--      unit system was already in force), or when the user never stored any (the default, imperial);
--   2. the user's last fill-up written at or before that time (fuel_logs.entered_units is the
--      system its numbers were typed in);
--   3. the user's first fill-up written after that time;
--   4. nothing tells: the user's current unit system is assumed. How many rows were assumed is
--      raised as a WARNING (in the backend's log when it migrates at start; psql prints it too)
--      so an operator can check them.
-- A preferences row changes its updated_at when any preference changes, so rule 1 is only ever too
-- cautious, never wrong.

create function pg_temp.units_known_at(who text, at timestamptz) returns text
language sql stable as $$
    select coalesce(
        (select p.unit_system from user_preferences p
          where p.user_id = who and p.updated_at <= at),
        (select 'imperial' where not exists (select 1 from user_preferences p where p.user_id = who)),
        (select f.entered_units from fuel_logs f
          where f.user_id = who and f.updated_at <= at
          order by f.updated_at desc limit 1),
        (select f.entered_units from fuel_logs f
          where f.user_id = who and f.updated_at > at
          order by f.updated_at asc limit 1))
$$;

create function pg_temp.units_now(who text) returns text
language sql stable as $$
    select coalesce((select p.unit_system from user_preferences p where p.user_id = who), 'imperial')
$$;

create function pg_temp.to_km(entered bigint, units text) returns numeric
language sql immutable as $$
    select case units when 'imperial' then entered * 1.609344 else entered::numeric end
$$;

-- The migration must not look like an edit to the rows' owners.
alter table vehicles disable trigger vehicles_set_updated_at;
alter table maintenance_records disable trigger maintenance_records_set_updated_at;
alter table maintenance_schedules disable trigger maintenance_schedules_set_updated_at;

create temporary table units_assumed (kind text not null) on commit drop;

-- Vehicles.
alter table vehicles rename column odometer_reading to odometer_entered;
alter table vehicles add column entered_units text, add column odometer_km numeric;
with inferred as (
    select id, pg_temp.units_known_at(user_id, updated_at) as known, pg_temp.units_now(user_id) as now
      from vehicles
), noted as (
    insert into units_assumed (kind) select 'vehicle' from inferred where known is null
)
update vehicles v set entered_units = coalesce(i.known, i.now),
                      odometer_km = pg_temp.to_km(v.odometer_entered, coalesce(i.known, i.now))
  from inferred i where i.id = v.id;
alter table vehicles
    alter column entered_units set not null,
    alter column entered_units set default 'imperial',
    alter column odometer_km set not null,
    alter column odometer_km set default 0,
    add constraint vehicles_entered_units_check check (entered_units in ('imperial', 'metric')),
    add constraint vehicles_odometer_km_check check (odometer_km >= 0);

-- Maintenance records.
alter table maintenance_records rename column odometer_reading to odometer_entered;
alter table maintenance_records add column entered_units text, add column odometer_km numeric;
with inferred as (
    select id, pg_temp.units_known_at(user_id, updated_at) as known, pg_temp.units_now(user_id) as now
      from maintenance_records
), noted as (
    insert into units_assumed (kind) select 'maintenance record' from inferred where known is null
)
update maintenance_records r set entered_units = coalesce(i.known, i.now),
                                 odometer_km = pg_temp.to_km(r.odometer_entered, coalesce(i.known, i.now))
  from inferred i where i.id = r.id;
alter table maintenance_records
    alter column entered_units set not null,
    alter column entered_units set default 'imperial',
    add constraint maintenance_records_entered_units_check check (entered_units in ('imperial', 'metric')),
    add constraint maintenance_records_odometer_km_check
        check ((odometer_entered is null) = (odometer_km is null) and (odometer_km is null or odometer_km >= 0));
create index maintenance_records_user_vehicle_km_idx on maintenance_records (user_id, vehicle_id, odometer_km)
    where deleted_at is null and odometer_km is not null;

-- Maintenance schedules: the distances typed with the schedule share one system; the records' last
-- service is kept in kilometres only (it is the record's length, whatever system it was typed in).
alter table maintenance_schedules
    add column entered_units text,
    add column interval_km numeric,
    add column baseline_km numeric,
    add column last_service_km numeric,
    add column record_service_km numeric;
with inferred as (
    select id, pg_temp.units_known_at(user_id, updated_at) as known, pg_temp.units_now(user_id) as now
      from maintenance_schedules
), noted as (
    insert into units_assumed (kind) select 'maintenance schedule' from inferred where known is null
)
update maintenance_schedules s
   set entered_units = coalesce(i.known, i.now),
       interval_km = pg_temp.to_km(s.interval_distance, coalesce(i.known, i.now)),
       baseline_km = pg_temp.to_km(s.baseline_odometer, coalesce(i.known, i.now)),
       last_service_km = pg_temp.to_km(s.last_service_odometer, coalesce(i.known, i.now))
  from inferred i where i.id = s.id;
-- The records' last service, again from the records (now in kilometres), as the app keeps it.
update maintenance_schedules s
   set record_service_km = lr.odometer_km
  from maintenance_schedules s2
  left join lateral (
       select r.odometer_km from maintenance_records r
        where r.user_id = s2.user_id and r.vehicle_id = s2.vehicle_id and r.deleted_at is null
          and r.category = s2.category and r.subtypes @> s2.subtypes
        order by r.date desc, r.odometer_km desc nulls last limit 1) lr on true
 where s.id = s2.id;
alter table maintenance_schedules drop column record_service_odometer;
alter table maintenance_schedules
    alter column entered_units set not null,
    alter column entered_units set default 'imperial',
    add constraint maintenance_schedules_entered_units_check check (entered_units in ('imperial', 'metric')),
    add constraint maintenance_schedules_km_check check (
        (interval_distance is null) = (interval_km is null)
        and (baseline_odometer is null) = (baseline_km is null)
        and (last_service_odometer is null) = (last_service_km is null));

alter table vehicles enable trigger vehicles_set_updated_at;
alter table maintenance_records enable trigger maintenance_records_set_updated_at;
alter table maintenance_schedules enable trigger maintenance_schedules_set_updated_at;

do $$
declare
    summary text;
begin
    select string_agg(n || ' ' || kind || case when n = 1 then '' else 's' end, ', ')
      into summary
      from (select kind, count(*) as n from units_assumed group by kind order by kind) counted;
    if summary is not null then
        raise warning 'odometer units: nothing told the unit system of % (no preference change and no fill-up to go by); the owner''s current unit system was assumed', summary;
    end if;
end
$$;
