-- Section x month class of the region's water sections in the report year, up to $as_of.
with members as (
    select region_code from regions where region_code = $region or parent_code = $region
),

final as (
    select
        ws.section_code,
        ws.section_name,
        cast(right(wp.period, 2) as integer) as month,
        wp.class,
        ws.target_class
    from water_sections as ws
    inner join members on ws.region_code = members.region_code
    inner join water_section_period as wp
        on wp.section_code = ws.section_code
        and wp.period_type = 'month'
        and wp.year = $year
    where make_date($year, cast(right(wp.period, 2) as integer), 1) <= $as_of
)

select * from final
order by section_code, month
