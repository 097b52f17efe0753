-- The region's water sections (its own and its counties'): target class, this year's class to
-- date, last year's, met or missed, main pollutants with exceedance multiples, and the
-- progress status of the section's class target (target_progress) when it has one.
with members as (
    select region_code from regions where region_code = $region or parent_code = $region
),

progress as (
    select
        region_code as section_code,
        status
    from target_progress
    where year = $year
      and indicator = 'section_class'
      and period = 'year'
      and as_of = (select max(as_of) from target_progress where year = $year and as_of <= $as_of)
),

final as (
    select
        ws.section_code,
        ws.section_name,
        ws.river,
        ws.region_code,
        ws.target_class,
        wp.class as class_now,
        wp.last_year_class,
        wp.meets_target,
        wp.target_miss_items,
        wp.main_pollutants,
        wp.exceedance,
        progress.status
    from water_sections as ws
    inner join members on ws.region_code = members.region_code
    left join water_section_period as wp
        on wp.section_code = ws.section_code
        and wp.period_type = 'ytd'
        and wp.year = $year
    left join progress on progress.section_code = ws.section_code
)

select * from final
order by section_code
