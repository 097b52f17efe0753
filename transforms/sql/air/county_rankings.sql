-- Rankings of the counties of each city and the cities of each province on every air
-- indicator, for every period of air_region_period (month, quarter, year, year to date) and
-- both dust variants, with last year's value and the change. Completes air_rankings (which
-- ranks the index, PM2.5, the good rate and the improvement) with the other indicators and
-- their year-on-year values; statistics are air_region_period's, never recomputed.
-- Ranking rule (docs/standards.md §4): a larger index, concentration or count of heavy days is
-- worse and ranks ascending; good days and the good-day ratio rank descending; values are
-- ranked at the precision bulletins print (days and µg/m³ integers, CO 1 decimal, rates
-- 1 decimal, index 2 decimals; round_even = GB/T 8170) and equal values share a rank.
-- Validity (GB 3095 Table 4): a concentration statistic or the index whose period is not
-- complete (air_region_period <pollutant>_complete / is_complete; for a period in progress:
-- can still become complete) is shown with ranking_status 'insufficient_data' (数据不足) and no
-- rank; the complete ones are ranked among themselves. Day counts and the rate need no minimum.
-- improvement_rank: best change on last year first (days and percentage points for day
-- counts and the rate, percent change (改善幅度) for concentrations and the index).
-- Scope as air_region_period.sql: the periods of $out_years (and every ytd when $all_ytd)
-- go into the temp table county_rankings_update, read from the periods of $in_years (the
-- year before each out year gives last year's value); transforms/air/county_rankings.py makes
-- it the table or puts it in place of the same periods.
create or replace temp table county_rankings_update as
with members as (
    select
        r.region_code,
        r.name,
        r.level,
        r.parent_code
    from regions as r
    inner join regions as p on p.region_code = r.parent_code
    where (p.level = 'city' and r.level = 'county')
        or (p.level = 'province' and r.level = 'city')
),

periods as (
    select
        p.region_code,
        p.period_type,
        p.year,
        p.period_no,
        p.period,
        p.as_of,
        p.dust_deducted,
        p.good_days::double as good_days,
        p.good_rate,
        p.heavy_days::double as heavy_days,
        p.pm25 as pm25_mean,
        p.pm10 as pm10_mean,
        p.so2 as so2_mean,
        p.no2 as no2_mean,
        p.co_p95,
        p.o3_8h_p90,
        p.composite_index
    from air_region_period as p
    where p.region_code in (select region_code from members)
        and (list_contains($in_years::integer[], p.year) or (p.period_type = 'ytd' and $all_ytd))
),

validity as (
    unpivot (
        select
            p.region_code,
            p.period_type,
            p.year,
            p.period_no,
            p.dust_deducted,
            true as good_days,
            true as good_rate,
            true as heavy_days,
            p.pm25_complete as pm25_mean,
            p.pm10_complete as pm10_mean,
            p.so2_complete as so2_mean,
            p.no2_complete as no2_mean,
            p.co_complete as co_p95,
            p.o3_8h_complete as o3_8h_p90,
            p.is_complete as composite_index
        from air_region_period as p
        where p.region_code in (select region_code from members)
            and (list_contains($in_years::integer[], p.year) or (p.period_type = 'ytd' and $all_ytd))
    )
    on good_days, good_rate, heavy_days, pm25_mean, pm10_mean, so2_mean, no2_mean, co_p95,
        o3_8h_p90, composite_index
    into name indicator value complete
),

long as (
    unpivot periods
    on good_days, good_rate, heavy_days, pm25_mean, pm10_mean, so2_mean, no2_mean, co_p95,
        o3_8h_p90, composite_index
    into name indicator value value
),

paired as (
    select
        m.parent_code,
        m.region_code,
        m.name,
        m.level,
        n.period_type,
        n.year,
        n.period_no,
        n.period,
        n.as_of,
        n.dust_deducted,
        n.indicator,
        n.value,
        coalesce(v.complete, false) as complete,
        l.value as last_year_value
    from long as n
    inner join members as m on m.region_code = n.region_code
    left join validity as v
        on v.region_code = n.region_code
        and v.period_type = n.period_type
        and v.year = n.year
        and v.period_no is not distinct from n.period_no
        and v.dust_deducted = n.dust_deducted
        and v.indicator = n.indicator
    left join long as l
        on l.region_code = n.region_code
        and l.period_type = n.period_type
        and l.year = n.year - 1
        and l.period_no is not distinct from n.period_no
        and l.dust_deducted = n.dust_deducted
        and l.indicator = n.indicator
),

shown as (
    select
        p.*,
        p.value - p.last_year_value as change,
        case when p.last_year_value > 0
            then 100.0 * (p.value / p.last_year_value - 1) end as change_pct,
        p.indicator in ('good_days', 'good_rate') as higher_is_better,
        -- round(.., 9) first: parallel sums differ by ~1e-13 between runs, which must not
        -- move a value across a rounding boundary (1.35 vs 1.3499999999999999)
        round_even(round(p.value, 9), case p.indicator
            when 'composite_index' then 2
            when 'good_rate' then 1
            when 'co_p95' then 1
            else 0
        end) as value_shown
    from paired as p
),

keyed as (
    select
        s.*,
        case when s.higher_is_better then -s.value_shown else s.value_shown end as rank_key,
        case
            when s.higher_is_better then -s.change
            when s.indicator = 'heavy_days' then s.change
            else s.change_pct
        end as improvement_key
    from shown as s
),

final as (
    select
        parent_code,
        region_code,
        name,
        level,
        period_type,
        year,
        period_no,
        period,
        as_of,
        dust_deducted,
        indicator,
        value,
        last_year_value,
        change,
        change_pct,
        case when complete then 'ranked' else 'insufficient_data' end as ranking_status,
        case when complete then rank() over (
            partition by parent_code, level, period_type, year, period_no, dust_deducted,
                indicator, complete
            order by rank_key
        ) end as rank,
        case when complete and improvement_key is not null then rank() over (
            partition by parent_code, level, period_type, year, period_no, dust_deducted,
                indicator, complete, improvement_key is null
            order by improvement_key
        ) end as improvement_rank,
        count(*) filter (where complete) over (
            partition by parent_code, level, period_type, year, period_no, dust_deducted,
                indicator
        ) as regions_ranked
    from keyed
    where value is not null
        and (list_contains($out_years::integer[], year) or (period_type = 'ytd' and $all_ytd))
)

select * from final
