-- user-preferences: how fuel economy is shown. Null = the unit system's usual unit (mpg or l/100km).
alter table user_preferences add column efficiency_unit text null;
alter table user_preferences add constraint user_preferences_efficiency_unit_check
    check (efficiency_unit is null or efficiency_unit in ('mpg', 'l_per_100km', 'km_per_l'));
