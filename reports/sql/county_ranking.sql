-- Ranking of the region's counties (or of a county among its siblings), year to date with dust
-- deducted: composite index, PM2.5 and good-day ratio, each with last year's same days.
with grp as (
    select
        case
            when exists (select 1 from county_rankings where parent_code = $region)
                then $region
            else (select parent_code from regions where region_code = $region)
        end as parent_code
),

ytd as (
    select cr.*
    from county_rankings as cr
    inner join grp on cr.parent_code = grp.parent_code
    where cr.period_type = 'ytd'
      and cr.year = $year
      and cr.dust_deducted
      and cr.as_of = (
          select max(as_of) from county_rankings
          where period_type = 'ytd' and year = $year and as_of <= $as_of
      )
),

final as (
    select
        region_code,
        any_value(name) as name,
        max(rank) filter (where indicator = 'composite_index') as composite_index_rank,
        max(value) filter (where indicator = 'composite_index') as composite_index,
        max(last_year_value) filter (where indicator = 'composite_index')
            as composite_index_last_year,
        max(change_pct) filter (where indicator = 'composite_index') as composite_index_change_pct,
        max(value) filter (where indicator = 'pm25_mean') as pm25,
        max(last_year_value) filter (where indicator = 'pm25_mean') as pm25_last_year,
        max(change_pct) filter (where indicator = 'pm25_mean') as pm25_change_pct,
        max(value) filter (where indicator = 'good_rate') as good_rate,
        max(last_year_value) filter (where indicator = 'good_rate') as good_rate_last_year,
        max(change) filter (where indicator = 'good_rate') as good_rate_change,
        max(improvement_rank) filter (where indicator = 'composite_index') as improvement_rank,
        max(ranking_status) filter (where indicator = 'composite_index') as ranking_status
    from ytd
    group by region_code
)

select * from final
order by composite_index_rank nulls last, region_code
