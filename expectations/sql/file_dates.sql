-- First and last hour loaded from each source file in the period (daily files must stay
-- inside the date in their name; checked in expectations/warehouse_checks.py).
select
    source_file,
    min(ts) as first_ts,
    max(ts) as last_ts,
    count(*) as n_values
from air_station_hourly
where ts > $period_start
    and ts <= $period_end
group by source_file
order by source_file
