-- Remove the station-hours a CNEMC station file supersedes in air_station_published_wide:
-- its columns x the hours with any complete published row, and every station-hour it brings;
-- an audited row is never replaced by a realtime file ({t_rank}: the rank of t.data_kind,
-- written from DATA_KIND_RANK; {measured}: the measured pollutant types, from POLLUTANTS).
with covered_hours as (
    select distinct ts
    from cnemc_slots
    where complete
        and type not in {measured}
),

covered as (
    select s.series, h.ts
    from cnemc_series as s
    cross join covered_hours as h
    union
    select i.station_code as series, i.ts
    from cnemc_incoming as i
)

delete from air_station_published_wide as t
using covered as k
where t.ts between $lo and $hi
    and t.station_code = k.series
    and t.ts = k.ts
    and {t_rank} <= $rank
