-- The daily series that air targets are assessed on, one row per region and natural day
-- from $first_date to $last_date, for the regions named by air targets.
-- valid / good / heavy: HJ 663 day counts (good = AQI <= 100, heavy = AQI > 200, over valid
-- days). Dust deduction ($dust_deduction, 环办监测〔2016〕120号, docs/standards.md §3.4): a dust day
-- loses its PM2.5 and PM10 values, and a dust day that is not good is dropped from the day
-- counts (扣除沙尘异常超标天), so it is neither valid, good nor heavy. Gases are kept.
-- has_pm25 / has_pm10: the value before deduction (validity counts, GB 3095 Table 4).
create or replace temp table tp_air_days as
with regions_wanted as (
    select distinct region_code
    from tp_targets
    where domain = 'air'
),

days as (
    select
        d.region_code,
        d.date,
        coalesce(d.is_valid, false) as is_valid,
        coalesce(d.is_good, false) as is_good,
        coalesce(d.is_heavy, false) as is_heavy,
        coalesce(d.is_dust, false) and $dust_deduction as deduct,
        d.pm25,
        d.pm10,
        d.so2,
        d.no2,
        d.co,
        d.o3_8h,
        d.o3_1h
    from air_city_daily as d
    inner join regions_wanted as w on w.region_code = d.region_code
    where d.date between $first_date::date and $last_date::date
),

final as (
    select
        region_code,
        date,
        is_valid and not (deduct and not is_good) as valid,
        is_valid and is_good as good,
        is_valid and is_heavy and not deduct as heavy,
        pm25 is not null as has_pm25,
        pm10 is not null as has_pm10,
        case when deduct then null else pm25 end as pm25,
        case when deduct then null else pm10 end as pm10,
        so2,
        no2,
        co,
        o3_8h,
        o3_1h
    from days
)

select * from final
