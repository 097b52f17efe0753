-- Non-good days (AQI > 100) of the report year by month and primary pollutant. A day with two
-- primary pollutants counts once for each.
with non_good as (
    select
        month(date) as month,
        unnest(string_split(coalesce(primary_pollutants, ''), ',')) as pollutant
    from air_city_daily
    where region_code = $region
      and year(date) = $year
      and date <= $as_of
      and aqi > 100
),

final as (
    select
        month,
        case when pollutant = '' then 'unknown' else trim(pollutant) end as pollutant,
        count(*) as days
    from non_good
    group by all
)

select * from final
order by month, pollutant
