-- Where each region sits for the overview page: its level and its province (the province
-- above it; itself for a province, a municipality or any region without a parent). Read from
-- parent_code alone, so that a warehouse of any age answers.
with final as (
    select
        r.region_code,
        r.name,
        r.name_en,
        r.level,
        case
            when r.level = 'province' then r.region_code
            when p1.level = 'province' then p1.region_code
            when p2.level = 'province' then p2.region_code
            else coalesce(p2.region_code, p1.region_code, r.region_code)
        end as province_code
    from regions as r
    left join regions as p1 on p1.region_code = r.parent_code
    left join regions as p2 on p2.region_code = p1.parent_code
)

select
    f.*,
    p.name as province_name,
    p.name_en as province_name_en
from final as f
left join regions as p on p.region_code = f.province_code
