-- Ranks of regions per period and dust_deducted, as the ranking schemes publish them
-- (城市环境空气质量排名技术规定; docs/standards.md §4), in several scopes:
--   scope 'national'  every city-level region (prefecture-level cities, municipalities and
--                     county-level cities under a province), scope_code 'CN';
--   scope 'province'  the cities of one province (the regions whose parent is a province),
--                     scope_code the province; municipalities have no such rank;
--   scope 'city'      the counties of one city (parent a city), scope_code the city;
--   scope 'list'      the regions of a named list (ranking_lists: the ministry's 168 key
--                     cities, or a bureau's own list), scope_code the list name.
-- Within a scope, only regions of the same level are compared. Ranked: the composite index,
-- each indicator of the index (PM2.5, PM10, SO2, NO2 means, CO 95th and O3-8h 90th
-- percentiles) ascending, the good-day rate descending, and improvement (ΔI = change of the
-- index vs the same period last year, ascending: most improved first). Values are ranked as
-- air_region_period holds them, at the precision bulletins print (GB/T 8170 half-even; the
-- improvement rounded to 0.1 % here), and equal values share a rank (rank()). Validity
-- (GB 3095 Table 4): only regions whose period is complete (is_complete; for a period in
-- progress: can still become complete) are ranked; the others get no rank and
-- ranking_status 'insufficient_data' (数据不足), never mixed in. Regions without a value get
-- no rank. The 2017 rule that keeps cities meeting every grade II limit out of the
-- deterioration ranking is not applied.
-- Only the periods of air_region_period_update (the periods being built; ranks never cross
-- periods) go into the temp table air_rankings_update, which transforms/air/marts.py makes
-- the table or puts in place of the same periods.
create or replace temp table air_rankings_update as
with periods as (
    select
        p.region_code,
        r.name,
        r.level,
        r.parent_code,
        r.province_code,
        parent.level as parent_level,
        p.period_type,
        p.year,
        p.period_no,
        p.period,
        p.as_of,
        p.dust_deducted,
        p.is_complete,
        p.composite_index,
        p.pm25,
        p.pm10,
        p.so2,
        p.no2,
        p.co_p95,
        p.o3_8h_p90,
        p.good_rate,
        p.composite_index_yoy_pct,
        case when p.is_complete then p.composite_index end as composite_index_shown,
        case when p.is_complete then p.pm25 end as pm25_shown,
        case when p.is_complete then p.pm10 end as pm10_shown,
        case when p.is_complete then p.so2 end as so2_shown,
        case when p.is_complete then p.no2 end as no2_shown,
        case when p.is_complete then p.co_p95 end as co_p95_shown,
        case when p.is_complete then p.o3_8h_p90 end as o3_8h_p90_shown,
        case when p.is_complete then p.good_rate end as good_rate_shown,
        case when p.is_complete then bulletin_round(p.composite_index_yoy_pct, 1) end
            as improvement_shown
    from air_region_period_update as p
    inner join regions as r on r.region_code = p.region_code
    left join regions as parent on parent.region_code = r.parent_code
),

scoped as (
    select
        *,
        case parent_level when 'province' then 'province' when 'city' then 'city'
            else 'parent' end as scope,
        parent_code as scope_code
    from periods
    where parent_code is not null
    union all
    select
        *,
        'national' as scope,
        'CN' as scope_code
    from periods
    where level = 'city'
    union all
    select
        p.*,
        'list' as scope,
        l.list_name as scope_code
    from periods as p
    inner join ranking_lists as l on l.region_code = p.region_code
),

final as (
    select
        region_code,
        name,
        level,
        parent_code,
        province_code,
        scope,
        scope_code,
        period_type,
        year,
        period_no,
        period,
        as_of,
        dust_deducted,
        is_complete,
        case when is_complete then 'ranked' else 'insufficient_data' end as ranking_status,
        composite_index,
        pm25,
        pm10,
        so2,
        no2,
        co_p95,
        o3_8h_p90,
        good_rate,
        composite_index_yoy_pct,
        case when composite_index_shown is not null then rank() over (
            partition by scope, scope_code, level, period_type, year, period_no, dust_deducted,
                composite_index_shown is null
            order by composite_index_shown
        )::integer end as composite_index_rank,
        case when pm25_shown is not null then rank() over (
            partition by scope, scope_code, level, period_type, year, period_no, dust_deducted,
                pm25_shown is null
            order by pm25_shown
        )::integer end as pm25_rank,
        case when pm10_shown is not null then rank() over (
            partition by scope, scope_code, level, period_type, year, period_no, dust_deducted,
                pm10_shown is null
            order by pm10_shown
        )::integer end as pm10_rank,
        case when so2_shown is not null then rank() over (
            partition by scope, scope_code, level, period_type, year, period_no, dust_deducted,
                so2_shown is null
            order by so2_shown
        )::integer end as so2_rank,
        case when no2_shown is not null then rank() over (
            partition by scope, scope_code, level, period_type, year, period_no, dust_deducted,
                no2_shown is null
            order by no2_shown
        )::integer end as no2_rank,
        case when co_p95_shown is not null then rank() over (
            partition by scope, scope_code, level, period_type, year, period_no, dust_deducted,
                co_p95_shown is null
            order by co_p95_shown
        )::integer end as co_p95_rank,
        case when o3_8h_p90_shown is not null then rank() over (
            partition by scope, scope_code, level, period_type, year, period_no, dust_deducted,
                o3_8h_p90_shown is null
            order by o3_8h_p90_shown
        )::integer end as o3_8h_p90_rank,
        case when good_rate_shown is not null then rank() over (
            partition by scope, scope_code, level, period_type, year, period_no, dust_deducted,
                good_rate_shown is null
            order by good_rate_shown desc
        )::integer end as good_rate_rank,
        case when improvement_shown is not null then rank() over (
            partition by scope, scope_code, level, period_type, year, period_no, dust_deducted,
                improvement_shown is null
            order by improvement_shown
        )::integer end as improvement_rank,
        count(composite_index_shown) over (
            partition by scope, scope_code, level, period_type, year, period_no, dust_deducted
        )::integer as regions_ranked
    from scoped
)

select * from final
order by scope, scope_code, level, period_type, year, period_no, dust_deducted,
    composite_index_rank
