-- The overview page's air columns and rankings: per region and period (the month $month of
-- $year, when given, and $year's year to date up to $as_of), dust deducted as the bulletins
-- rank: composite index, good-day ratio and PM2.5 with their change on last year, and ranks
-- nationally (every region of the same level) and within the province.
-- Ranking rule as air_rankings (standards.md §4): composite index ascending and improvement
-- (ΔI, the index's change on last year in percent) ascending, at the precision bulletins
-- print (index 2 decimals, ΔI 1 decimal; round_even = GB/T 8170); equal values share a rank;
-- regions without a value are not ranked. `placed` is reports/sql/overview_regions.sql's
-- result (rank level and province of every region), registered by reports/overview.py.
with periods as (
    select
        p.region_code,
        p.period_type,
        p.period,
        p.as_of,
        p.is_complete,
        p.composite_index,
        p.composite_index_yoy_pct,
        p.good_rate,
        p.good_rate_yoy,
        p.pm25,
        p.pm25_yoy_pct,
        round_even(round(p.composite_index, 9), 2) as index_shown,
        round_even(round(p.composite_index_yoy_pct, 9), 1) as improvement_shown
    from air_region_period as p
    where p.dust_deducted
      and p.year = $year
      and (
          (p.period_type = 'month' and p.period_no = $month)
          or (p.period_type = 'ytd' and p.as_of = (
              select max(as_of) from air_region_period
              where period_type = 'ytd' and year = $year and as_of <= $as_of
          ))
      )
),

keyed as (
    select
        p.*,
        pl.rank_level,
        pl.province_code
    from periods as p
    inner join placed as pl on pl.region_code = p.region_code
),

final as (
    select
        region_code,
        rank_level,
        province_code,
        period_type,
        period,
        as_of,
        is_complete,
        composite_index,
        composite_index_yoy_pct,
        good_rate,
        good_rate_yoy,
        pm25,
        pm25_yoy_pct,
        case when index_shown is not null then rank() over (
            partition by period_type, rank_level, index_shown is null
            order by index_shown
        ) end as index_rank,
        count(index_shown) over (partition by period_type, rank_level) as index_ranked,
        case when index_shown is not null then rank() over (
            partition by period_type, rank_level, province_code, index_shown is null
            order by index_shown
        ) end as index_rank_province,
        count(index_shown) over (partition by period_type, rank_level, province_code)
            as index_ranked_province,
        case when improvement_shown is not null then rank() over (
            partition by period_type, rank_level, improvement_shown is null
            order by improvement_shown
        ) end as improvement_rank,
        count(improvement_shown) over (partition by period_type, rank_level)
            as improvement_ranked,
        case when improvement_shown is not null then rank() over (
            partition by period_type, rank_level, province_code, improvement_shown is null
            order by improvement_shown
        ) end as improvement_rank_province,
        count(improvement_shown) over (partition by period_type, rank_level, province_code)
            as improvement_ranked_province
    from keyed
)

select * from final
order by period_type, rank_level, index_rank nulls last, region_code
