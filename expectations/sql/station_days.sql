-- One row per station, pollutant and natural day (hours D 01:00 .. D+1 00:00, hour-ending) of
-- the validated period: hours present, distinct hour slots (a repeated slot = a duplicate
-- fact), and the value of each half-day holding 12 equal values, else null (every run of
-- >= 24 equal hourly values contains such a half-day: the only places a stuck run can be).
-- One hash aggregate over the period serves grain, completeness and stuck-run checks; the
-- caller runs it per month of natural days into temp table validation_station_days (smaller
-- hash tables: a national year in 3.9 s instead of 4.9 s on 2 cores).
with scope as (
    select
        station_code,
        pollutant,
        value,
        ts,
        ts - interval 1 hour as shifted,
        minute(ts) <> 0 or second(ts) <> 0 as off_hour
    from air_station_hourly
    where ts > $period_start
        and ts <= $period_end
),

final as (
    select
        station_code,
        pollutant,
        cast(shifted as date) as day,
        count(*) as hours,
        min(ts) as first_ts,
        max(ts) as last_ts,
        bit_count(bit_or(cast(1 as bigint) << hour(shifted))) as slots,
        count(*) filter (where off_hour) as off_hour_values,
        case when count(*) filter (where hour(shifted) < 12) = 12
                and min(value) filter (where hour(shifted) < 12)
                    = max(value) filter (where hour(shifted) < 12)
            then min(value) filter (where hour(shifted) < 12) end as first_half_value,
        case when count(*) filter (where hour(shifted) >= 12) = 12
                and min(value) filter (where hour(shifted) >= 12)
                    = max(value) filter (where hour(shifted) >= 12)
            then min(value) filter (where hour(shifted) >= 12) end as second_half_value
    from scope
    group by station_code, pollutant, cast(shifted as date)
)

select * from final
