-- A refresh-token family (one sign-in and all its rotations) ends at an absolute time, however often
-- it is rotated: auth.local.refresh_family_max_days after the sign-in. Families that exist now end
-- 90 days (the default) after their first token.
alter table refresh_tokens add column family_expires_at timestamptz null;

update refresh_tokens r
   set family_expires_at = f.started + interval '90 days'
  from (select family_id, min(created_at) as started from refresh_tokens group by family_id) f
 where f.family_id = r.family_id;

alter table refresh_tokens alter column family_expires_at set not null;
