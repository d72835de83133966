-- terms-agreement: one live acceptance per user and terms version. Before this, two exactly
-- simultaneous accept-terms requests could both pass the "not yet accepted" check and write two
-- rows. The later duplicates are marked deleted (kept, not removed: this is the legal audit trail),
-- then a unique index makes the database itself refuse a second live row.
update terms_agreements t
   set deleted_at = now()
 where t.deleted_at is null
   and exists (select 1 from terms_agreements e
                where e.user_id = t.user_id
                  and e.terms_version = t.terms_version
                  and e.deleted_at is null
                  and (e.accepted_at, e.id) < (t.accepted_at, t.id));
create unique index terms_agreements_one_per_version
    on terms_agreements (user_id, terms_version) where deleted_at is null;
