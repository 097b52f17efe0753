-- Region x natural day (temp table, read by air_city_daily): the daily values that feed the
-- daily AQI and the period statistics, on a full calendar so that missing days and hours
-- count as missing.
-- Natural day D = hours D 01:00 .. D+1 00:00 (ts is hour-ending; HJ 633-2012 "当日零点前24小时",
-- GB 3095-2026 日平均 = one natural day's 24 hourly values); hour_no 1 .. 24 within the day.
-- * pm25, pm10, so2, no2, co: mean of the day's valid 1-h values, NULL unless at least
--   hours_per_day (20) are valid (GB 3095 Table 4).
-- * o3_8h (MDA8, 日最大8小时平均): max of the 8-h moving means ending at hours 8 .. 24 of the day
--   (08:00 .. 24:00), each over hours hour_no-7 .. hour_no, so no window crosses midnight; a
--   window needs hours_per_8h_window (6) valid hours (GB 3095 Table 4); the MDA8 is valid
--   with at least mda8_min_windows (14) valid windows, or with fewer when it exceeds the
--   grade II 8-h limit (HJ 663-2013, docs/standards.md §3.1). The windows are list slices of the
--   day's 24 hourly O3 values: the same moving means as a window function over a full hour
--   calendar, at about half the cost.
-- * o3_1h: the day's maximum valid 1-h O3 (2012 daily AQI only). No clause sets its minimum
--   (GB 3095 Table 4 and HJ 663 are silent); envq's rule, rule set o3_1h_min_hours (20): the
--   24-h row's >= 20 valid hours, by analogy.
-- The calendar runs from 1 January of the year of the first day with a valid daily value to
-- $calendar_end, for every region with evaluation stations; edition per day comes from
-- air_day_editions (edition_for_date, or the edition forced for the run).
-- Only the days $day_from .. $day_to of that calendar are computed (a full build: all of it;
-- a nightly increment: the days its files touched); $calendar_start, when given, is the first
-- day of the calendar as the last full build found it (a window cannot see the whole data).
create or replace temp table air_region_daily_means as
with hourly as (
    select
        region_code,
        cast(ts - interval 1 hour as date) as date,
        hour(ts - interval 1 hour) + 1 as hour_no,
        pm25,
        pm10,
        so2,
        no2,
        co,
        o3
    from air_region_hourly_wide
    where ts > $day_from::timestamp
        and ts <= $day_to::timestamp + interval 1 day
),

day_values as (
    select
        region_code,
        date,
        avg(pm25) as pm25_mean,
        avg(pm10) as pm10_mean,
        avg(so2) as so2_mean,
        avg(no2) as no2_mean,
        avg(co) as co_mean,
        max(o3) as o3_max,
        count(pm25)::integer as pm25_hours,
        count(pm10)::integer as pm10_hours,
        count(so2)::integer as so2_hours,
        count(no2)::integer as no2_hours,
        count(co)::integer as co_hours,
        count(o3)::integer as o3_hours,
        [
            max(case when hour_no = 1 then o3 end),
            max(case when hour_no = 2 then o3 end),
            max(case when hour_no = 3 then o3 end),
            max(case when hour_no = 4 then o3 end),
            max(case when hour_no = 5 then o3 end),
            max(case when hour_no = 6 then o3 end),
            max(case when hour_no = 7 then o3 end),
            max(case when hour_no = 8 then o3 end),
            max(case when hour_no = 9 then o3 end),
            max(case when hour_no = 10 then o3 end),
            max(case when hour_no = 11 then o3 end),
            max(case when hour_no = 12 then o3 end),
            max(case when hour_no = 13 then o3 end),
            max(case when hour_no = 14 then o3 end),
            max(case when hour_no = 15 then o3 end),
            max(case when hour_no = 16 then o3 end),
            max(case when hour_no = 17 then o3 end),
            max(case when hour_no = 18 then o3 end),
            max(case when hour_no = 19 then o3 end),
            max(case when hour_no = 20 then o3 end),
            max(case when hour_no = 21 then o3 end),
            max(case when hour_no = 22 then o3 end),
            max(case when hour_no = 23 then o3 end),
            max(case when hour_no = 24 then o3 end)
        ] as o3_by_hour
    from hourly
    group by region_code, date
),

rules as (
    select
        edition,
        hours_per_day,
        hours_per_8h_window,
        mda8_min_windows,
        o3_1h_min_hours,
        o3_8h_limit
    from air_rule_sets
),

calendar_bounds as (
    select
        coalesce($calendar_start::date, date_trunc('year', coalesce(
            min(case
                when greatest(pm25_hours, pm10_hours, so2_hours, no2_hours, co_hours, o3_hours)
                    >= (select min(hours_per_day) from rules)
                then date
            end),
            min(date)
        ))::date) as first_day,
        $calendar_end::date as last_day
    from day_values
),

calendar as (
    select cast(unnest(generate_series(
        greatest(first_day, $day_from::date),
        least(last_day, $day_to::date),
        interval 1 day
    )) as date) as date
    from calendar_bounds
),

region_days as (
    select
        r.region_code,
        c.date,
        e.edition
    from (select distinct region_code from air_region_stations) as r
    cross join calendar as c
    inner join air_day_editions as e on e.date = c.date
),

o3_windows as (
    -- the valid 8-h moving means ending at hours 8 .. 24 of each day
    select
        d.region_code,
        d.date,
        list_transform(
            list_filter(
                list_transform(range(8, 25), lambda e: list_slice(v.o3_by_hour, e - 7, e)),
                lambda w: len(list_filter(w, lambda x: x is not null)) >= r.hours_per_8h_window
            ),
            lambda w: list_avg(w)
        ) as o3_8h_means
    from region_days as d
    inner join rules as r on r.edition = d.edition
    inner join day_values as v on v.region_code = d.region_code and v.date = d.date
),

final as (
    select
        d.region_code,
        d.date,
        d.edition,
        case when v.pm25_hours >= r.hours_per_day then v.pm25_mean end as pm25,
        case when v.pm10_hours >= r.hours_per_day then v.pm10_mean end as pm10,
        case when v.so2_hours >= r.hours_per_day then v.so2_mean end as so2,
        case when v.no2_hours >= r.hours_per_day then v.no2_mean end as no2,
        case when v.co_hours >= r.hours_per_day then v.co_mean end as co,
        case
            when len(w.o3_8h_means) >= r.mda8_min_windows
                or list_max(w.o3_8h_means) > r.o3_8h_limit
            then list_max(w.o3_8h_means)
        end as o3_8h,
        case when v.o3_hours >= r.o3_1h_min_hours then v.o3_max end as o3_1h,
        coalesce(v.pm25_hours, 0) as pm25_hours,
        coalesce(v.pm10_hours, 0) as pm10_hours,
        coalesce(v.so2_hours, 0) as so2_hours,
        coalesce(v.no2_hours, 0) as no2_hours,
        coalesce(v.co_hours, 0) as co_hours,
        coalesce(v.o3_hours, 0) as o3_hours,
        coalesce(len(w.o3_8h_means), 0)::integer as o3_8h_windows
    from region_days as d
    inner join rules as r on r.edition = d.edition
    left join day_values as v on v.region_code = d.region_code and v.date = d.date
    left join o3_windows as w on w.region_code = d.region_code and w.date = d.date
)

select * from final
