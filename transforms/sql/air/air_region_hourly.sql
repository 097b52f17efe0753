-- Region x hour x pollutant (long form of air_region_hourly_wide, for analysts):
-- the mean of the region's evaluation stations' valid 1-h values and how many stations
-- contributed. Hours where no evaluation station had a valid value have no row.
create or replace view air_region_hourly as
with long_values as (
    unpivot air_region_hourly_wide
    on (pm25, pm25_stations) as pm25,
        (pm10, pm10_stations) as pm10,
        (so2, so2_stations) as so2,
        (no2, no2_stations) as no2,
        (co, co_stations) as co,
        (o3, o3_stations) as o3
    into name pollutant value value, n_stations
),

final as (
    select
        region_code,
        ts,
        pollutant,
        value,
        n_stations
    from long_values
    where value is not null
)

select * from final
