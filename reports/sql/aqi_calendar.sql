-- One row a day of the report year up to $as_of: AQI, level (HJ 633) and primary pollutants.
select
    date,
    aqi,
    level,
    primary_pollutants
from air_city_daily
where region_code = $region
  and year(date) = $year
  and date <= $as_of
order by date
