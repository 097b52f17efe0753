-- Station codes with hourly values in the period that no station list registers (they load
-- all the same: a national file must load before anyone curates the registry).
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
        m.n_values,
        s.station_code is not null as known
    from measured as m
    left join stations as s
        on m.station_code = s.station_code
        and coalesce(s.registered, true)
)

select * from final
order by n_values desc, station_code
