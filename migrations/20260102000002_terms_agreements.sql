-- terms-agreement: the legal audit trail of terms acceptance (one row per acceptance).
create table terms_agreements (
    id             uuid primary key,
    user_id        text not null,
    terms_version  text not null,
    accepted_at    timestamptz not null,
    ip_address     text null,
    user_agent     text null,
    created_at     timestamptz not null default now(),
    updated_at     timestamptz not null default now(),
    deleted_at     timestamptz null
);
create index terms_agreements_user_idx on terms_agreements (user_id, accepted_at);
create trigger terms_agreements_set_updated_at before update on terms_agreements
    for each row execute function set_updated_at();
