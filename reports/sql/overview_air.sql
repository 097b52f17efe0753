-- The overview page's air columns: per region and period (the month $month of $year, when
-- given, and $year's year to date up to $as_of), dust deducted as the bulletins rank: the
-- composite index, good-day ratio and PM2.5 with their change on last year, and the ranks of
-- the index and of its improvement from air_rankings (the one place ranks are computed,
-- docs/standards.md §4): nationally (scope 'national', cities) and among the siblings
-- under the same parent (scope 'province' for a city, 'city' for a county).
with periods as (
    select
        p.region_code,
        p.period_type,
        p.year,
        p.period_no,
        p.period,
        p.as_of,
        p.is_complete,
        p.composite_index,
        p.composite_index_yoy_pct,
        p.good_rate,
        p.good_rate_yoy,
        p.pm25,
        p.pm25_yoy_pct
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

ranks as (
    select
        a.region_code,
        a.scope,
        a.scope_code,
        a.period_type,
        a.period_no,
        a.as_of,
        a.composite_index_rank,
        a.regions_ranked,
        a.improvement_rank,
        count(a.improvement_rank) over (
            partition by a.scope, a.scope_code, a.level, a.period_type, a.year, a.period_no,
                a.dust_deducted
        ) as improvement_ranked
    from air_rankings as a
    where a.dust_deducted
      and a.year = $year
      and a.scope <> 'list'
),

final as (
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
        n.composite_index_rank as index_rank,
        n.regions_ranked as index_ranked,
        s.scope_code as parent_scope,
        s.composite_index_rank as index_rank_parent,
        s.regions_ranked as index_ranked_parent,
        n.improvement_rank,
        n.improvement_ranked,
        s.improvement_rank as improvement_rank_parent,
        s.improvement_ranked as improvement_ranked_parent
    from periods as p
    left join ranks as n
        on n.region_code = p.region_code
        and n.scope = 'national'
        and n.period_type = p.period_type
        and n.period_no is not distinct from p.period_no
        and n.as_of = p.as_of
    left join ranks as s
        on s.region_code = p.region_code
        and s.scope not in ('national', 'list')
        and s.period_type = p.period_type
        and s.period_no is not distinct from p.period_no
        and s.as_of = p.as_of
)

select * from final
order by period_type, index_rank nulls last, region_code
