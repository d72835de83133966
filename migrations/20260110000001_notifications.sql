-- Notifications: per-user channels, the in-app centre, the delivery queue, e-mail templates and the
-- calendar feed. `notification_logs` (one row per reminder crossing) moves to this capsule unchanged.

create table notification_settings (
    user_id         text primary key,
    email_enabled   boolean not null default true,
    ntfy_url        text,
    webhook_url     text,
    -- The key of the webhook's HMAC-SHA256 signature header, shown to the user once it exists.
    webhook_secret  text,
    due_soon_days   integer not null default 30 check (due_soon_days between 1 and 365),
    updated_at      timestamptz not null default now()
);

-- What the user sees in the app: every reminder, newest first, unread until marked.
create table notifications (
    id          uuid primary key,
    user_id     text not null,
    kind        text not null,
    title       text not null,
    body        text not null,
    vehicle_id  uuid,
    subject_id  uuid,
    created_at  timestamptz not null default now(),
    read_at     timestamptz
);
create index notifications_user_idx on notifications (user_id, created_at desc, id desc);
create index notifications_unread_idx on notifications (user_id) where read_at is null;

-- Outgoing messages: queued in the transaction that caused them, sent by the deliver job. A claim
-- sets `sending` with a lease (`locked_until`); a crashed sender's lease runs out and the row is
-- taken again. `idempotency_key` makes queueing the same message twice a no-op.
create table notification_deliveries (
    id               uuid primary key,
    idempotency_key  text not null unique,
    user_id          text,
    kind             text not null,
    channel          text not null check (channel in ('email', 'ntfy', 'webhook')),
    recipient        text not null,
    subject          text not null,
    text_body        text not null,
    html_body        text,
    status           text not null default 'queued'
                     check (status in ('queued', 'sending', 'sent', 'failed')),
    attempts         integer not null default 0,
    next_attempt_at  timestamptz not null default now(),
    locked_until     timestamptz,
    last_error       text,
    created_at       timestamptz not null default now(),
    sent_at          timestamptz
);
create index notification_deliveries_due_idx on notification_deliveries (next_attempt_at)
    where status in ('queued', 'sending');
create index notification_deliveries_user_idx on notification_deliveries (user_id, created_at desc);

-- E-mail templates (minijinja): the variables each may use are fixed per key.
create table email_templates (
    key         text primary key,
    subject     text not null,
    text_body   text not null,
    html_body   text not null,
    variables   text[] not null,
    updated_at  timestamptz not null default now(),
    updated_by  text
);

-- A secret per-user calendar address; rotating replaces the token.
create table calendar_feeds (
    user_id     text primary key,
    token       text not null unique,
    created_at  timestamptz not null default now()
);

insert into email_templates (key, subject, text_body, html_body, variables) values
('verify_email',
 'Confirm your e-mail address for MotoVaultPro',
 E'Welcome to MotoVaultPro.\n\nConfirm your e-mail address by opening this link:\n{{ link }}\n\nThe link works once and expires in {{ hours }} hours. If you did not sign up, ignore this message.\n',
 E'<p>Welcome to MotoVaultPro.</p>\n<p><a href="{{ link }}">Confirm your e-mail address</a></p>\n<p>The link works once and expires in {{ hours }} hours. If you did not sign up, ignore this message.</p>\n',
 array['link', 'hours', 'email']),
('password_reset',
 'Reset your MotoVaultPro password',
 E'Someone asked to reset the password of your MotoVaultPro account.\n\nChoose a new password here:\n{{ link }}\n\nThe link works once and expires in {{ hours }} hours. If it was not you, ignore this message: your password stays as it is.\n',
 E'<p>Someone asked to reset the password of your MotoVaultPro account.</p>\n<p><a href="{{ link }}">Choose a new password</a></p>\n<p>The link works once and expires in {{ hours }} hours. If it was not you, ignore this message: your password stays as it is.</p>\n',
 array['link', 'hours', 'email']),
('maintenance_due_soon',
 'Due soon on {{ vehicle }}: {{ service }}',
 E'{{ service }} on {{ vehicle }} is due soon: {{ due }}.\n\nSee your schedules: {{ app_url }}/vehicles/{{ vehicle_id }}\n',
 E'<p><strong>{{ service }}</strong> on <strong>{{ vehicle }}</strong> is due soon: {{ due }}.</p>\n<p><a href="{{ app_url }}/vehicles/{{ vehicle_id }}">See your schedules</a></p>\n',
 array['vehicle', 'vehicle_id', 'service', 'due', 'due_date', 'due_odometer', 'app_url']),
('maintenance_overdue',
 'Overdue on {{ vehicle }}: {{ service }}',
 E'{{ service }} on {{ vehicle }} is overdue: it was due {{ due }}.\n\nSee your schedules: {{ app_url }}/vehicles/{{ vehicle_id }}\n',
 E'<p><strong>{{ service }}</strong> on <strong>{{ vehicle }}</strong> is overdue: it was due {{ due }}.</p>\n<p><a href="{{ app_url }}/vehicles/{{ vehicle_id }}">See your schedules</a></p>\n',
 array['vehicle', 'vehicle_id', 'service', 'due', 'due_date', 'due_odometer', 'app_url']),
('document_expiring',
 'Expiring soon: {{ title }} ({{ vehicle }})',
 E'Your {{ document_type }} document "{{ title }}" for {{ vehicle }} expires on {{ expiration_date }} ({{ days_left }} days from now).\n\nSee your documents: {{ app_url }}/vehicles/{{ vehicle_id }}\n',
 E'<p>Your {{ document_type }} document <strong>{{ title }}</strong> for <strong>{{ vehicle }}</strong> expires on {{ expiration_date }} ({{ days_left }} days from now).</p>\n<p><a href="{{ app_url }}/vehicles/{{ vehicle_id }}">See your documents</a></p>\n',
 array['vehicle', 'vehicle_id', 'title', 'document_type', 'expiration_date', 'days_left', 'app_url']),
('document_expired',
 'Expired: {{ title }} ({{ vehicle }})',
 E'Your {{ document_type }} document "{{ title }}" for {{ vehicle }} expired on {{ expiration_date }}.\n\nSee your documents: {{ app_url }}/vehicles/{{ vehicle_id }}\n',
 E'<p>Your {{ document_type }} document <strong>{{ title }}</strong> for <strong>{{ vehicle }}</strong> expired on {{ expiration_date }}.</p>\n<p><a href="{{ app_url }}/vehicles/{{ vehicle_id }}">See your documents</a></p>\n',
 array['vehicle', 'vehicle_id', 'title', 'document_type', 'expiration_date', 'days_left', 'app_url']),
('test_message',
 'MotoVaultPro test message',
 E'This is a test message from MotoVaultPro to {{ email }}. If you can read it, reminders will reach you here.\n',
 E'<p>This is a test message from MotoVaultPro to {{ email }}. If you can read it, reminders will reach you here.</p>\n',
 array['email', 'app_url']);
