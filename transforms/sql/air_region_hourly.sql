-- Region x hour x pollutant: arithmetic mean of the valid 1-h values of the region's
-- evaluation stations (HJ 663-2013 城市点位平均; control stations excluded via
-- air_region_stations). ts is hour-ending local time, as in air_station_hourly.
-- Every row of air_station_hourly is a valid 1-h value (the loaders keep only those);
-- non-finite values are dropped here as a guard.
create or replace table air_region_hourly as
with members as (
    select
        region_code,
        station_code
    from air_region_stations
),

station_values as (
    select
        m.region_code,
        h.ts,
        h.pollutant,
        h.value
    from air_station_hourly as h
    inner join members as m on m.station_code = h.station_code
    where h.pollutant in ('pm25', 'pm10', 'so2', 'no2', 'co', 'o3')
        and isfinite(h.value)
),

final as (
    select
        region_code,
        ts,
        pollutant,
        avg(value) as value,
        count(*)::integer as n_stations
    from station_values
    group by region_code, ts, pollutant
)

select * from final
