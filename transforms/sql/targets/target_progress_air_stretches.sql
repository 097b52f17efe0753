-- Period statistics of each air target's base indicator over three stretches of days:
-- so_far (period start .. as-of), base_so_far (the same days of the baseline year) and
-- base_full (the whole baseline period). HJ 663 (docs/standards.md §3.2-3.3): good-day ratio over
-- valid days; means of valid daily means; CO 95th and O3-8h 90th percentiles with
-- k = 1 + (n-1)p (quantile_cont); composite index of the rounded statistics with the target
-- edition's rule set (composite_index_of, assessment_macros.sql), as air_region_period.
-- No data is not zero: a stretch without a valid day has NULL day counts and ratio.
-- complete (so_far only; GB 3095 Table 4, as air_region_period): every elapsed month holds
-- enough daily values of each pollutant the indicator uses for the whole month to still reach
-- 27 (February 25), and for a year the elapsed days enough for the year to reach 324; counts
-- are taken before dust deduction. Day counts (good, heavy days, ratio) need no minimum.
create or replace temp table tp_air_stretches as
with stretches as (
    select target_id, region_code, 'so_far' as stretch, period_start as date_from,
        so_far_end as date_to
    from tp_targets
    where domain = 'air' and elapsed_days > 0
    union all
    select target_id, region_code, 'base_so_far', base_start, base_so_far_end
    from tp_targets
    where domain = 'air' and elapsed_days > 0
    union all
    select target_id, region_code, 'base_full', base_start, base_end
    from tp_targets
    where domain = 'air'
),

month_counts as (
    -- per target, pollutant and elapsed month of the so_far stretch: days, valid values
    select
        s.target_id,
        month(d.date) as month,
        count(*) as elapsed_days,
        count(*) filter (where d.has_pm25) as pm25_days,
        count(*) filter (where d.has_pm10) as pm10_days,
        count(d.so2) as so2_days,
        count(d.no2) as no2_days,
        count(d.co) as co_days,
        count(d.o3_8h) as o3_8h_days
    from stretches as s
    inner join tp_air_days as d
        on d.region_code = s.region_code
        and d.date between s.date_from and s.date_to
    where s.stretch = 'so_far'
    group by s.target_id, month(d.date)
),

month_needs as (
    select
        c.*,
        c.elapsed_days - day(last_day(make_date(t.year, c.month, 1)))
            + case when c.month = 2 then r.days_per_february else r.days_per_month end
            as month_minimum,
        case when t.period = 'year'
            then (t.elapsed_days - t.total_days + r.days_per_year) end as year_minimum,
        t.base_pollutant,
        t.base
    from month_counts as c
    inner join tp_targets as t on t.target_id = c.target_id
    inner join tp_rule_sets as r on r.edition = t.edition
),

validity as (
    -- the fewest values among the pollutants the indicator uses, against the minima
    select
        target_id,
        bool_and(
            case
                when base = 'composite_index' then least(
                    pm25_days, pm10_days, so2_days, no2_days, co_days, o3_8h_days)
                when base_pollutant = 'pm25' then pm25_days
                when base_pollutant = 'pm10' then pm10_days
                when base_pollutant = 'so2' then so2_days
                when base_pollutant = 'no2' then no2_days
                when base_pollutant = 'co' then co_days
                else o3_8h_days
            end >= month_minimum
        ) as months_ok,
        sum(case
            when base = 'composite_index' then least(
                pm25_days, pm10_days, so2_days, no2_days, co_days, o3_8h_days)
            when base_pollutant = 'pm25' then pm25_days
            when base_pollutant = 'pm10' then pm10_days
            when base_pollutant = 'so2' then so2_days
            when base_pollutant = 'no2' then no2_days
            when base_pollutant = 'co' then co_days
            else o3_8h_days
        end) as values_so_far,
        max(year_minimum) as year_minimum
    from month_needs
    group by target_id
),

aggregated as (
    select
        s.target_id,
        s.stretch,
        max(s.date_from) as date_from,
        (max(s.date_to) - max(s.date_from) + 1)::integer as calendar_days,
        count(d.date)::integer as days_with_rows,
        count(*) filter (where d.valid)::integer as valid_days,
        count(*) filter (where d.good)::integer as good_days,
        count(*) filter (where d.heavy)::integer as heavy_days,
        sum(d.pm25) as pm25_sum,
        count(d.pm25)::integer as pm25_n,
        sum(d.pm10) as pm10_sum,
        count(d.pm10)::integer as pm10_n,
        sum(d.so2) as so2_sum,
        count(d.so2)::integer as so2_n,
        sum(d.no2) as no2_sum,
        count(d.no2)::integer as no2_n,
        count(d.co)::integer as co_n,
        count(d.o3_8h)::integer as o3_8h_n,
        quantile_cont(d.co, 0.95) as co_p95,
        quantile_cont(d.o3_8h, 0.90) as o3_8h_p90
    from stretches as s
    left join tp_air_days as d
        on d.region_code = s.region_code
        and d.date between s.date_from and s.date_to
    group by s.target_id, s.stretch
),

with_means as (
    select
        a.*,
        a.pm25_sum / nullif(a.pm25_n, 0) as pm25_mean,
        a.pm10_sum / nullif(a.pm10_n, 0) as pm10_mean,
        a.so2_sum / nullif(a.so2_n, 0) as so2_mean,
        a.no2_sum / nullif(a.no2_n, 0) as no2_mean
    from aggregated as a
),

with_index as (
    select
        m.*,
        composite_index_of(
            m.pm25_mean, m.pm10_mean, m.so2_mean, m.no2_mean, m.co_p95, m.o3_8h_p90, r
        ) as composite_index
    from with_means as m
    inner join tp_targets as t on t.target_id = m.target_id
    inner join tp_rule_sets as r on r.edition = t.edition
),

final as (
    select
        i.*,
        case t.base
            when 'good_days' then case when i.valid_days > 0 then i.good_days::double end
            when 'good_rate' then 100.0 * i.good_days / nullif(i.valid_days, 0)
            when 'heavy_days' then case when i.valid_days > 0 then i.heavy_days::double end
            when 'pm25_mean' then i.pm25_mean
            when 'pm10_mean' then i.pm10_mean
            when 'so2_mean' then i.so2_mean
            when 'no2_mean' then i.no2_mean
            when 'co_p95' then i.co_p95
            when 'o3_8h_p90' then i.o3_8h_p90
            when 'composite_index' then i.composite_index
        end as base_value,
        case t.base_pollutant
            when 'pm25' then i.pm25_sum
            when 'pm10' then i.pm10_sum
            when 'so2' then i.so2_sum
            when 'no2' then i.no2_sum
        end as pollutant_sum,
        case t.base_pollutant
            when 'pm25' then i.pm25_n
            when 'pm10' then i.pm10_n
            when 'so2' then i.so2_n
            when 'no2' then i.no2_n
            when 'co' then i.co_n
            when 'o3_8h' then i.o3_8h_n
        end as pollutant_days,
        case
            when i.stretch <> 'so_far' or t.base_kind not in ('mean', 'percentile', 'index')
                then true
            else coalesce(v.months_ok and (v.year_minimum is null or v.values_so_far >= v.year_minimum), false)
        end as is_complete,
        v.values_so_far
    from with_index as i
    inner join tp_targets as t on t.target_id = i.target_id
    left join validity as v on v.target_id = i.target_id
)

select * from final
