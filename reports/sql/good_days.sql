-- Cumulative good days by day of year, for the report year (up to $as_of) and the year before.
with days as (
    select
        year(date) as year,
        date,
        dayofyear(date) as day_of_year,
        coalesce(is_good, false) as is_good
    from air_city_daily
    where region_code = $region
      and year(date) in ($year, $year - 1)
      and date <= $as_of
),

final as (
    select
        year,
        date,
        day_of_year,
        sum(is_good::integer) over (
            partition by year order by date rows between unbounded preceding and current row
        ) as cumulative_good_days
    from days
)

select * from final
order by year, date
