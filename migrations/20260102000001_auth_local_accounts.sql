-- auth: accounts of the built-in identity provider, e-mail verification tokens, refresh tokens.
-- Tokens are stored only as SHA-256 hashes.

create table local_accounts (
    id                uuid primary key,
    user_id           text not null,            -- the JWT sub
    email             text not null,            -- as the user typed it (trimmed)
    email_normalized  text not null,            -- lower-case, for uniqueness and lookup
    password_hash     text not null,            -- argon2id PHC string
    email_verified_at timestamptz null,
    created_at        timestamptz not null default now(),
    updated_at        timestamptz not null default now(),
    deleted_at        timestamptz null,
    constraint local_accounts_user_id_key unique (user_id)
);
create unique index local_accounts_email_key on local_accounts (email_normalized)
    where deleted_at is null;
create trigger local_accounts_set_updated_at before update on local_accounts
    for each row execute function set_updated_at();

create table email_verification_tokens (
    id          uuid primary key,
    user_id     text not null,
    token_hash  bytea not null,
    expires_at  timestamptz not null,
    used_at     timestamptz null,
    created_at  timestamptz not null default now(),
    constraint email_verification_tokens_hash_key unique (token_hash)
);
create index email_verification_tokens_user_idx on email_verification_tokens (user_id, created_at);

create table refresh_tokens (
    id          uuid primary key,
    user_id     text not null,
    family_id   uuid not null,                  -- all tokens descended from one login
    token_hash  bytea not null,
    expires_at  timestamptz not null,
    used_at     timestamptz null,               -- rotated: presenting it again is reuse
    revoked_at  timestamptz null,
    user_agent  text null,
    created_at  timestamptz not null default now(),
    constraint refresh_tokens_hash_key unique (token_hash)
);
create index refresh_tokens_user_idx on refresh_tokens (user_id, created_at);
create index refresh_tokens_family_idx on refresh_tokens (family_id);
