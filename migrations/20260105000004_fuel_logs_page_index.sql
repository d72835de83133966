-- fuel-logs: the list's full order (date_time desc, id desc) in the index, so a page is an index scan
-- whatever LIMIT the prepared statement carries (a generic plan cannot assume a small LIMIT).
drop index fuel_logs_user_vehicle_time_idx;
create index fuel_logs_user_vehicle_time_idx on fuel_logs (user_id, vehicle_id, date_time desc, id desc)
    where deleted_at is null;
drop index fuel_logs_user_time_idx;
create index fuel_logs_user_time_idx on fuel_logs (user_id, date_time desc, id desc) where deleted_at is null;
