-- The regions (all, or $region alone) with targets of $year at $as_of: provinces, then cities,
-- then counties, each by code.
select
    r.region_code,
    r.name,
    r.name_en
from regions as r
where ($region is null or r.region_code = $region)
  and exists (
      select 1 from target_progress as tp
      where tp.region_code = r.region_code
        and tp.year = $year
        and tp.as_of = $as_of
  )
order by
    case r.level when 'province' then 0 when 'city' then 1 else 2 end,
    r.region_code
