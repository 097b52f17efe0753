-- Ranks of regions among their siblings (same parent and level) per period and
-- dust_deducted, as the ranking schemes publish them (城市环境空气质量排名技术规定; docs/standards.md §4):
-- composite index ascending, PM2.5 ascending, good rate descending, and improvement
-- (ΔI = change of the index vs the same period last year, ascending: most improved first).
-- Values are ranked as air_region_period holds them, at the precision bulletins print
-- (index 2 decimals, PM2.5 integer, rates 1 decimal; GB/T 8170 half-even; the improvement
-- rounded to 0.1 % here), and equal values share a rank (rank()). Regions without a value get
-- no rank. Validity (GB 3095 Table 4): only regions whose period is complete (is_complete;
-- for a period in progress: can still become complete) are ranked; the others get no rank
-- and ranking_status 'insufficient_data' (数据不足), never mixed in. The 2017 rule that keeps
-- cities meeting every grade II limit out of the deterioration ranking is not applied.
-- Only the periods of air_region_period_update (the periods being built; ranks never cross
-- periods) go into the temp table air_rankings_update, which transforms/air/marts.py makes
-- the table or puts in place of the same periods.
create or replace temp table air_rankings_update as
with ranked_regions as (
    select
        p.region_code,
        r.name,
        r.level,
        r.parent_code,
        p.period_type,
        p.year,
        p.period_no,
        p.period,
        p.as_of,
        p.dust_deducted,
        p.is_complete,
        p.composite_index,
        p.pm25,
        p.good_rate,
        p.composite_index_yoy_pct,
        case when p.is_complete then p.composite_index end as composite_index_shown,
        case when p.is_complete then p.pm25 end as pm25_shown,
        case when p.is_complete then p.good_rate end as good_rate_shown,
        case when p.is_complete then bulletin_round(p.composite_index_yoy_pct, 1) end
            as improvement_shown
    from air_region_period_update as p
    inner join regions as r on r.region_code = p.region_code
    where r.parent_code is not null
),

final as (
    select
        region_code,
        name,
        level,
        parent_code,
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
        good_rate,
        composite_index_yoy_pct,
        case when composite_index_shown is not null then rank() over (
            partition by parent_code, level, period_type, year, period_no, dust_deducted,
                composite_index_shown is null
            order by composite_index_shown
        )::integer end as composite_index_rank,
        case when pm25_shown is not null then rank() over (
            partition by parent_code, level, period_type, year, period_no, dust_deducted,
                pm25_shown is null
            order by pm25_shown
        )::integer end as pm25_rank,
        case when good_rate_shown is not null then rank() over (
            partition by parent_code, level, period_type, year, period_no, dust_deducted,
                good_rate_shown is null
            order by good_rate_shown desc
        )::integer end as good_rate_rank,
        case when improvement_shown is not null then rank() over (
            partition by parent_code, level, period_type, year, period_no, dust_deducted,
                improvement_shown is null
            order by improvement_shown
        )::integer end as improvement_rank,
        count(composite_index_shown) over (
            partition by parent_code, level, period_type, year, period_no, dust_deducted
        )::integer as regions_ranked
    from ranked_regions
)

select * from final
order by parent_code, level, period_type, year, period_no, dust_deducted, composite_index_rank
