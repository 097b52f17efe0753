-- Data completeness of the report year to $as_of: days with data, valid days (AQI) and days with
-- a value of each pollutant, against the days elapsed.
with air as (
    select
        count(*) as days_with_data,
        count(*) filter (where is_valid) as valid_days,
        count(pm25) as pm25_days,
        count(pm10) as pm10_days,
        count(so2) as so2_days,
        count(no2) as no2_days,
        count(co) as co_days,
        count(o3_8h) as o3_8h_days
    from air_city_daily
    where region_code = $region
      and year(date) = $year
      and date <= $as_of
),

final as (
    select
        datediff('day', make_date($year, 1, 1), least($as_of, make_date($year, 12, 31))) + 1
            as elapsed_days,
        air.*
    from air
)

select * from final
