-- core: shared trigger function and the admin list (DESIGN.md "Auth": admins live in admin_users).

create or replace function set_updated_at() returns trigger
language plpgsql as $$
begin
    new.updated_at = now();
    return new;
end
$$;

-- An admin is named by user id (the JWT sub) or, before their first sign-in, by verified e-mail.
create table admin_users (
    id          uuid primary key default gen_random_uuid(),
    user_id     text null,
    email       text null,
    role        text not null default 'admin',
    created_at  timestamptz not null default now(),
    updated_at  timestamptz not null default now(),
    created_by  text not null default 'system',
    revoked_at  timestamptz null,
    constraint admin_users_subject_check check (user_id is not null or email is not null),
    constraint admin_users_role_check check (role in ('admin'))
);

create unique index admin_users_user_id_key on admin_users (user_id)
    where revoked_at is null and user_id is not null;
create unique index admin_users_email_key on admin_users (lower(email))
    where revoked_at is null and email is not null;

create trigger admin_users_set_updated_at before update on admin_users
    for each row execute function set_updated_at();
