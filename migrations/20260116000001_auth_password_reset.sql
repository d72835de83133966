-- auth: password-reset links of the built-in identity provider. Like verification links, a token is
-- stored only as its SHA-256, works once and expires (one hour).
create table password_reset_tokens (
    id          uuid primary key,
    user_id     text not null,
    token_hash  bytea not null,
    expires_at  timestamptz not null,
    used_at     timestamptz null,
    created_at  timestamptz not null default now(),
    constraint password_reset_tokens_hash_key unique (token_hash)
);
create index password_reset_tokens_user_idx on password_reset_tokens (user_id, created_at);
