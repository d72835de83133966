-- platform: the catalog's version. Every admin change to the catalog bumps it in its transaction and
-- announces it with NOTIFY catalog_version; cached catalog reads are keyed by it, so every replica's
-- near copy and Redis entries of an older version are never served again.
create table vehicles.catalog_version (
    id       boolean primary key default true,
    version  bigint not null default 1,
    constraint catalog_version_single_row check (id)
);
insert into vehicles.catalog_version default values;
