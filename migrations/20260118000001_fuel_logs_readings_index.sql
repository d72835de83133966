-- fuel-logs: each vehicle's odometer readings in time order. A new or changed fill-up's reading is
-- checked against its neighbours (the reading just before it and the one just after), which this
-- finds in a few index pages however long the history and however many fill-ups carry only a trip
-- distance; without it the check walked the vehicle's whole history on every write.
create index fuel_logs_readings_idx on fuel_logs (user_id, vehicle_id, date_time, odometer_km)
    where deleted_at is null and odometer_km is not null;
