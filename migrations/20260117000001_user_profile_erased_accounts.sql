-- user-profile: accounts erased by DELETE /api/user/account. A token issued before `erased_at`
-- cannot bring the profile back (the profile middleware refuses it); a later sign-in of the same
-- identity-provider subject starts afresh. The column is not `user_id`, so the erasure, which empties
-- every table with a `user_id` column, leaves this one.
create table erased_accounts (
    subject text primary key,
    erased_at timestamptz not null default now()
);
