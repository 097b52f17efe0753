-- Incoming rows whose key no (higher-ranked) value still holds after the supersede step and,
-- for a realtime file ($rank = $realtime), that no audited file covered. {table}, {series},
-- {type_match} and {audited_type_match} come from the whitelist in transforms/ingest/cnemc_load.py.
select i.*
from cnemc_incoming as i
where not exists (
    select 1
    from {table} as t
    where t.ts between $lo and $hi
        and t.{series} = i.{series}
        and t.ts = i.ts
        {type_match}
)
    and not ($rank = $realtime and exists (
        select 1
        from cnemc_audited_slots as c
        inner join cnemc_audited_columns as s on c.source_file = s.source_file
        where c.ts = i.ts
            and s.series = i.{series}
            {audited_type_match}
    ))
