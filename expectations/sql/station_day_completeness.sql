-- Hours present per station, pollutant and natural day against the calendar: every natural
-- day lying wholly between the series' first and last value (day D = hours D 01:00 ..
-- D+1 00:00), so a day with no row at all counts as 0 hours and the partial days at the
-- edges of the data do not count.
with series as (
    select
        station_code,
        pollutant,
        -- first natural day whose 01:00 is not before the first value (ceil to a day)
        cast(min(first_ts) - interval 1 hour - interval 1 microsecond as date) + 1
            as first_day,
        -- last natural day whose 24:00 (next day 00:00) is not after the last value
        cast(max(last_ts) as date) - 1 as last_day
    from validation_station_days
    group by station_code, pollutant
),

calendar as (
    select
        station_code,
        pollutant,
        cast(unnest(generate_series(first_day, last_day, interval 1 day)) as date) as day
    from series
    where first_day <= last_day
),

final as (
    select
        c.station_code,
        c.pollutant,
        c.day,
        coalesce(d.hours, 0) as hours
    from calendar as c
    left join validation_station_days as d
        on c.station_code = d.station_code
        and c.pollutant = d.pollutant
        and c.day = d.day
)

select * from final
