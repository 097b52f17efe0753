-- Runs of one value repeated for >= $min_hours consecutive hours (no hour missing) at one
-- station and pollutant: a stuck instrument. Values below the pollutant's floor (registered
-- Arrow table validation_stuck_floors: pollutant, floor) are not judged: near the reporting
-- resolution a steady signal repeats honestly. Candidates come from validation_station_days
-- (half-days of 12 equal values); the exact runs are measured on the rows of those series
-- within a day either side, so a run crossing the period's edge is measured whole.
with candidates as (
    select distinct
        d.station_code,
        d.pollutant,
        d.day
    from validation_station_days as d
    inner join validation_stuck_floors as f
        on d.pollutant = f.pollutant
    where d.first_half_value >= f.floor
        or d.second_half_value >= f.floor
),

nearby as (
    select distinct
        h.station_code,
        h.pollutant,
        h.ts,
        h.value
    from air_station_hourly as h
    inner join candidates as c
        on h.station_code = c.station_code
        and h.pollutant = c.pollutant
        and h.ts > cast(c.day as timestamp) - interval 1 day
        and h.ts <= cast(c.day as timestamp) + interval 2 day
),

islands as (
    select
        station_code,
        pollutant,
        value,
        ts,
        ts - to_hours(
            row_number() over (partition by station_code, pollutant, value order by ts)
        ) as island
    from nearby
),

final as (
    select
        i.station_code,
        i.pollutant,
        i.value,
        min(i.ts) as run_start,
        max(i.ts) as run_end,
        count(*) as hours
    from islands as i
    inner join validation_stuck_floors as f
        on i.pollutant = f.pollutant
    where i.value >= f.floor
    group by i.station_code, i.pollutant, i.value, i.island
    having count(*) >= $min_hours
)

select * from final
order by hours desc, station_code, pollutant, run_start
