-- admin: the audit log of admin writes. Every admin write appends one row in the transaction of the
-- change; nothing may change or remove a row, which the database itself enforces: a statement trigger
-- refuses UPDATE, DELETE and TRUNCATE for every role, the table owner included.
create table admin_audit_logs (
    id           uuid primary key,
    actor_id     text not null,
    action       text not null,
    target_type  text not null,
    target_id    text null,
    before       jsonb null,
    after        jsonb null,
    ip           text null,
    created_at   timestamptz not null default now()
);
create index admin_audit_logs_created_idx on admin_audit_logs (created_at desc, id desc);
create index admin_audit_logs_action_idx on admin_audit_logs (action, created_at desc);
create index admin_audit_logs_actor_idx on admin_audit_logs (actor_id, created_at desc);

create function admin_audit_logs_append_only() returns trigger
language plpgsql as $$
begin
    raise exception 'admin_audit_logs is append-only: % refused', tg_op
        using errcode = 'insufficient_privilege';
end
$$;

create trigger admin_audit_logs_append_only
    before update or delete or truncate on admin_audit_logs
    for each statement execute function admin_audit_logs_append_only();
