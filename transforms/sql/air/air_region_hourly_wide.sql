-- Region x hour: arithmetic mean of the valid 1-h values of the region's evaluation stations,
-- one column per pollutant, with the number of stations behind each mean
-- (HJ 663-2013: a city's value is the mean of its evaluation stations (评价点) at each time
-- step; control stations (对照点) are excluded by air_region_stations). The city AQI is then
-- computed from these mean concentrations, never by averaging station AQIs.
-- ts is hour-ending local time (ts H covers (H-1h, H]). Each row of air_station_hourly is a
-- valid 1-h value (the loaders keep only those); non-finite values are dropped as a guard.
-- Wide, not long: 6x fewer groups, the cost that dominates at national scale (the long
-- form is the view air_region_hourly).
-- Only the hours of natural days $day_from .. $day_to (ts in ($day_from 00:00, $day_to + 1
-- 00:00]) go into the temp table air_region_hourly_update; transforms/air/marts.py makes it
-- the table (full build) or puts it in place of those hours (nightly increment).
create or replace temp table air_region_hourly_update as
with station_values as (
    select
        m.region_code,
        h.ts,
        h.pollutant,
        h.value
    from air_station_hourly as h
    inner join air_region_stations as m on m.station_code = h.station_code
    where isfinite(h.value)
        and h.ts > $day_from::timestamp
        and h.ts <= $day_to::timestamp + interval 1 day
),

final as (
    select
        region_code,
        ts,
        avg(case when pollutant = 'pm25' then value end) as pm25,
        avg(case when pollutant = 'pm10' then value end) as pm10,
        avg(case when pollutant = 'so2' then value end) as so2,
        avg(case when pollutant = 'no2' then value end) as no2,
        avg(case when pollutant = 'co' then value end) as co,
        avg(case when pollutant = 'o3' then value end) as o3,
        count(case when pollutant = 'pm25' then value end)::integer as pm25_stations,
        count(case when pollutant = 'pm10' then value end)::integer as pm10_stations,
        count(case when pollutant = 'so2' then value end)::integer as so2_stations,
        count(case when pollutant = 'no2' then value end)::integer as no2_stations,
        count(case when pollutant = 'co' then value end)::integer as co_stations,
        count(case when pollutant = 'o3' then value end)::integer as o3_stations
    from station_values
    group by region_code, ts
)

select * from final
