-- user-profile: when the user last made an authenticated request (kept to within minutes), for the
-- admin's user list.
alter table user_profiles add column last_seen_at timestamptz null;
