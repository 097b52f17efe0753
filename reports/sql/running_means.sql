-- Running year-to-date means of PM2.5 and PM10 (valid daily values, dust days deducted as in
-- the assessment), for the report year up to $as_of.
with days as (
    select
        date,
        case when coalesce(is_dust, false) then null else pm25 end as pm25,
        case when coalesce(is_dust, false) then null else pm10 end as pm10
    from air_city_daily
    where region_code = $region
      and year(date) = $year
      and date <= $as_of
),

final as (
    select
        date,
        pm25,
        pm10,
        avg(pm25) over w as pm25_ytd_mean,
        avg(pm10) over w as pm10_ytd_mean
    from days
    window w as (order by date rows between unbounded preceding and current row)
)

select * from final
order by date
