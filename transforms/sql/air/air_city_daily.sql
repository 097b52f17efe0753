-- Region x natural day (warehouse contract `air_city_daily`; counties too, despite the name).
-- Daily values from air_region_daily_means, AQI from transforms.air.aqi (registered by
-- transforms/air/marts.py as air_daily_aqi: computed from the region's mean concentrations,
-- HJ 633 日报, never from averaged station AQIs).
-- is_valid (有效监测天, after HJ 663-2013 / GB 3095 Table 4): every indicator of the edition's
-- daily AQI has a valid daily value (the five daily means (>= 20 h), the MDA8, and for the
-- 2012 edition also the O3 daily max 1-h value); or, with the rule set's
-- missing_indicator_rule (HJ 633-2026 §5.3; for 2012 envq's reading, the 2012 text being
-- silent), an indicator is missing but the others already give AQI > 100: the AQI is
-- published, so the day is a valid non-good day (air_daily_aqi is the max over the present
-- indicators, its primary pollutant among them). With an indicator missing and AQI <= 100 from
-- the others the day stays undetermined (not valid). `indicators_missing` counts the absent
-- ones. Only valid days count in the day statistics: good (AQI <= 100), exceedance
-- (AQI > 100), heavy (AQI > 200) are NULL otherwise.
-- is_dust: the bureau flagged the day for the region or any region above it (air_dust_flags).
-- is_dust_exceedance: a valid dust day that is not good; dust deduction drops these days
-- from the day counts (扣除沙尘异常超标天, 环办监测〔2016〕120号; arithmetic UNCONFIRMED).
-- Only the days of air_region_daily_means (the days being built) go into the temp table
-- air_city_daily_update, which transforms/air/marts.py makes the table or puts in place.
create or replace temp table air_city_daily_update as
with recursive region_tree as (
    -- each region paired with itself and every region above it
    select
        region_code,
        region_code as ancestor_code
    from regions
    union
    select
        t.region_code,
        r.parent_code as ancestor_code
    from region_tree as t
    inner join regions as r on r.region_code = t.ancestor_code
    where r.parent_code is not null
),

dust_days as (
    select distinct
        t.region_code,
        f.date
    from air_dust_flags as f
    inner join region_tree as t on t.ancestor_code = f.region_code
),

rules as (
    select
        edition,
        daily_uses_o3_1h,
        missing_indicator_rule
    from air_rule_sets
),

days as (
    select
        m.*,
        a.aqi,
        a.level,
        a.category,
        a.colour,
        a.primary_pollutants,
        (m.pm25 is null)::integer + (m.pm10 is null)::integer + (m.so2 is null)::integer
            + (m.no2 is null)::integer + (m.co is null)::integer + (m.o3_8h is null)::integer
            + (r.daily_uses_o3_1h and m.o3_1h is null)::integer as indicators_missing,
        r.missing_indicator_rule,
        dd.date is not null as is_dust
    from air_region_daily_means as m
    inner join rules as r on r.edition = m.edition
    left join air_daily_aqi as a
        on a.region_code = m.region_code
        and cast(a.date as date) = m.date
    left join dust_days as dd on dd.region_code = m.region_code and dd.date = m.date
),

judged as (
    select
        *,
        d.aqi is not null and (
            d.indicators_missing = 0 or (d.missing_indicator_rule and d.aqi > 100)
        ) as is_valid
    from days as d
),

final as (
    select
        region_code,
        date,
        edition,
        aqi::integer as aqi,
        level::integer as level,
        category::varchar as category,
        colour::varchar as colour,
        primary_pollutants::varchar as primary_pollutants,
        pm25,
        pm10,
        so2,
        no2,
        co,
        o3_8h,
        o3_1h,
        is_valid,
        case when is_valid then aqi <= 100 end as is_good,
        case when is_valid then aqi > 100 end as is_exceedance,
        case when is_valid then aqi > 200 end as is_heavy,
        is_dust,
        is_valid and is_dust and aqi > 100 as is_dust_exceedance,
        pm25_hours,
        pm10_hours,
        so2_hours,
        no2_hours,
        co_hours,
        o3_hours,
        o3_8h_windows,
        indicators_missing::integer as indicators_missing
    from judged
)

select * from final
