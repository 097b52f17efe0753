-- Remove the values a CNEMC file supersedes in a long table ({table}: air_station_hourly or
-- air_city_hourly_published; {series}, {type} its column names; all three come from the
-- fixed whitelist in transforms/ingest/cnemc_load.py). Superseded: every cell the file covers (its
-- columns x its complete hour-type rows, cnemc_series x cnemc_slots) and every key it brings
-- (cnemc_incoming), unless the value there ranks higher (audited is never replaced by
-- realtime; {t_rank} is the rank of t.data_kind, written from DATA_KIND_RANK). The ts range lets DuckDB skip row groups by their zone maps.
with covered as (
    select s.series, c.ts, c.type
    from cnemc_series as s
    cross join cnemc_slots as c
    where c.complete
    union
    select i.{series} as series, i.ts, i.{type} as type
    from cnemc_incoming as i
)
delete from {table} as t
using covered as k
where t.ts between $lo and $hi
    and t.{series} = k.series
    and t.ts = k.ts
    and t.{type} = k.type
    and {t_rank} <= $rank
