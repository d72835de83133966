-- user-profile: one row per user, created on the first authenticated request.
create table user_profiles (
    id                       uuid primary key,
    user_id                  text not null,
    email                    text null,
    display_name             text null,
    notification_email       text null,
    onboarding_completed_at  timestamptz null,
    created_at               timestamptz not null default now(),
    updated_at               timestamptz not null default now(),
    deleted_at               timestamptz null,
    constraint user_profiles_user_id_key unique (user_id)
);
create index user_profiles_email_idx on user_profiles (lower(email));
create trigger user_profiles_set_updated_at before update on user_profiles
    for each row execute function set_updated_at();
