-- The daily city series of a backtest (transforms/targets/backtest.py), one row per region and
-- day, in the columns of tp_air_days: the series envq computes from stations (air_city_daily)
-- and the published daily city files (air_city_daily_published, keyed by city name; good =
-- published AQI <= 100, heavy = AQI > 200, HJ 633). A city present in both keeps envq's own.
create or replace temp table bt_days as
with computed as (
    select
        region_code,
        date,
        coalesce(is_valid, false) as valid,
        coalesce(is_valid and is_good, false) as good,
        coalesce(is_valid and is_heavy, false) as heavy,
        pm25,
        pm10,
        so2,
        no2,
        co,
        o3_8h,
        o3_1h
    from air_city_daily
),

published as (
    select
        city as region_code,
        date,
        aqi is not null as valid,
        coalesce(aqi <= 100, false) as good,
        coalesce(aqi > 200, false) as heavy,
        pm25,
        pm10,
        so2,
        no2,
        co,
        o3_8h,
        null::double as o3_1h
    from air_city_daily_published
    where city not in (select region_code from computed)
    qualify row_number() over (partition by city, date order by source_file) = 1
),

all_series as (
    select * from computed
    union all by name
    select * from published
)

-- the dense calendar of air_city_daily has rows for every configured region: keep the series
-- with at least one valid day
select * from all_series
where region_code in (select region_code from all_series where valid)
