-- Listed stations with hourly values in the period that have no region (their list names a
-- city the registry does not know, or an ambiguous one): their values load, but count toward
-- no city. region_note says why; configured stations are the bureau's and are left out.
with measured as (
    select
        station_code,
        count(*) as n_values
    from air_station_hourly
    where ts > $period_start
        and ts <= $period_end
    group by station_code
),

final as (
    select
        m.station_code,
        s.station_name,
        m.n_values,
        s.region_code is null as unassigned,
        s.region_note
    from measured as m
    inner join stations as s
        on m.station_code = s.station_code
        and coalesce(s.registered, true)
        and coalesce(s.source, '') <> 'config'
)

select * from final
order by unassigned desc, station_code
