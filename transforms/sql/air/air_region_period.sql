-- Region x period (month, quarter, year, and year to date at $as_of for every year present)
-- x dust_deducted: the assessment indicators of HJ 663 and the ranking scheme.
-- * Day counts over valid days only (HJ 663; docs/standards.md §3.3): valid_days, good_days
--   (AQI <= 100), exceedance_days (AQI > 100), heavy_days (AQI > 200); good_rate,
--   exceedance_rate and heavy_rate in percent of valid days.
-- * Statistics over each pollutant's valid daily values (HJ 663 §3.2): means of pm25, pm10,
--   so2, no2; percentiles (k = 1 + (n-1)p, linear = quantile_cont) so2/no2 98th, PM and CO
--   95th, O3 MDA8 90th; percentile choices from the rule set ($p_* as fractions).
-- * Completeness (GB 3095 Table 4): per pollutant, every elapsed month may miss at most
--   (days in month - 27, February - 25) daily values, and a year or ytd at most
--   (days in year - 324); partial periods (is_partial, or ytd) are judged on their elapsed
--   days, so `complete` there means "the full period can still meet the minimum".
--   Quarters and months need their months only. Counts are taken before dust deduction.
-- * Rounding (GB/T 8170 half to even, rule set `rounding`; assessment_macros.sql): the
--   statistic columns (pm25 .. pm10_p95, good_rate and the other rates, composite_index) hold
--   the official figure, rounded as bulletins publish it (µg/m³ whole, CO 0.1 mg/m³, rates
--   0.1 %); <column>_unrounded keeps the exact value for analysts. Everything judged (limits,
--   exceedance multiples, indices, year-on-year changes, ranks) uses the rounded figure.
-- * composite_index = Σ C_i / S_i of the rounded statistics (S from the rule set;
--   docs/standards.md §4), rounded to 2 decimals, with primary_pollutant the largest C_i / S_i
--   (ties comma-joined); exceedance multiples (C - S) / S only when C > S, against the grade
--   II limit of the same averaging time of the period's edition ($period_edition: the edition
--   of its last day by default, or of its first day; transforms/rules/editions.yaml);
--   compliance per pollutant (mean vs annual limit and percentile vs 24-h limit; CO p95 vs
--   24-h; O3 p90 vs 8-h), compared for any period length.
-- * Validity gates the verdict (GB 3095 Table 4): a pollutant whose statistic is not complete
--   gets <pollutant>_compliant NULL, and compliance_status says 'insufficient_data' (数据不足)
--   unless a complete pollutant already fails ('non_compliant'); is_compliant is true only
--   when all six are complete and comply, false when one complete pollutant fails, else NULL.
-- * dust_deducted = true (扣除沙尘, 环办监测〔2016〕120号; arithmetic UNCONFIRMED, envq's rule):
--   PM2.5 and PM10 values of dust-flagged days are left out of the PM statistics and so of
--   the index; valid dust days that are not good leave the day counts (valid, exceedance,
--   heavy), so the good rate rises; gases are unchanged.
-- * *_yoy: change against the same period of the previous year (same dust_deducted): day
--   counts and good_rate (percentage points) as differences, concentrations and the index as
--   percent (ΔI = (I_now - I_last) / I_last x 100, 改善幅度: < 0 improved).
-- Scope (transforms/air/period_scope.py): the periods of the years $out_years, and the ytd
-- periods of every year when $all_ytd, go into the temp table air_region_period_update;
-- the days read are those of $in_years (out years and the year before each, for the
-- year-on-year columns) and, for ytd, of every year when $all_ytd. A full build names every
-- year; transforms/air/marts.py makes the table or puts the rows in place of the same periods.
-- (C - S) / S when the rounded statistic C exceeds the limit S, else null (超标倍数)
create or replace temp macro exceedance_multiple(concentration, standard) as
    case when concentration > standard then (concentration - standard) / standard end;

-- change against last year in percent of last year's value; null when that is 0 or missing
create or replace temp macro change_pct(value_now, value_last) as
    100.0 * (value_now - value_last) / nullif(value_last, 0);

create or replace temp table air_region_period_update as
with params as (
    select $as_of::date as as_of
),

days as (
    select
        region_code,
        date,
        year(date)::integer as year,
        month(date)::integer as month,
        quarter(date)::integer as quarter,
        edition,
        is_valid,
        is_good,
        is_exceedance,
        is_heavy,
        is_dust,
        coalesce(is_dust_exceedance, false) as is_dust_exceedance,
        pm25,
        pm10,
        so2,
        no2,
        co,
        o3_8h
    from air_city_daily
    where $all_ytd or list_contains($in_years::integer[], year(date)::integer)
),

in_scope_days as (
    select *
    from days
    where list_contains($in_years::integer[], year)
),

ytd_ends as (
    -- the as_of month and day in every year present (29 Feb -> 28 Feb in common years)
    select
        y.year,
        make_date(
            y.year,
            month(p.as_of),
            least(day(p.as_of), day(last_day(make_date(y.year, month(p.as_of), 1))))
        ) as ytd_end
    from (select distinct year from days) as y
    cross join params as p
),

period_days as (
    select
        'month' as period_type,
        year,
        month as period_no,
        make_date(year, month, 1) as period_start,
        last_day(date) as period_end,
        in_scope_days.* exclude (year, quarter)
    from in_scope_days
    union all
    select
        'quarter' as period_type,
        year,
        quarter as period_no,
        make_date(year, 3 * quarter - 2, 1) as period_start,
        last_day(make_date(year, 3 * quarter, 1)) as period_end,
        in_scope_days.* exclude (year, quarter)
    from in_scope_days
    union all
    select
        'year' as period_type,
        year,
        null::integer as period_no,
        make_date(year, 1, 1) as period_start,
        make_date(year, 12, 31) as period_end,
        in_scope_days.* exclude (year, quarter)
    from in_scope_days
    union all
    select
        'ytd' as period_type,
        days.year,
        null::integer as period_no,
        make_date(days.year, 1, 1) as period_start,
        y.ytd_end as period_end,
        days.* exclude (year, quarter)
    from days
    inner join ytd_ends as y on y.year = days.year
    where days.date <= y.ytd_end  -- (days holds only the years in scope)
),

period_keys as (
    select
        region_code,
        period_type,
        year,
        period_no,
        min(period_start) as period_start,
        min(period_end) as period_end,
        max(date) as as_of,
        case $period_edition
            when 'first_day' then arg_min(edition, date)
            else arg_max(edition, date)
        end as edition,
        count(*)::integer as calendar_days
    from period_days
    group by region_code, period_type, year, period_no
),

month_counts as (
    select
        region_code,
        period_type,
        year,
        period_no,
        month,
        count(*) as elapsed_days,
        count(pm25) as pm25_days,
        count(pm10) as pm10_days,
        count(so2) as so2_days,
        count(no2) as no2_days,
        count(co) as co_days,
        count(o3_8h) as o3_8h_days
    from period_days
    group by region_code, period_type, year, period_no, month
),

month_checks as (
    select
        c.*,
        c.elapsed_days
            - day(last_day(make_date(c.year, c.month, 1)))
            + case when c.month = 2 then r.days_per_february else r.days_per_month end
            as month_minimum,
        k.calendar_days
            - dayofyear(make_date(c.year, 12, 31))
            + r.days_per_year as year_minimum
    from month_counts as c
    inner join period_keys as k
        on k.region_code = c.region_code
        and k.period_type = c.period_type
        and k.year = c.year
        and k.period_no is not distinct from c.period_no
    inner join air_rule_sets as r on r.edition = k.edition
),

completeness as (
    select
        region_code,
        period_type,
        year,
        period_no,
        sum(pm25_days)::integer as pm25_days,
        sum(pm10_days)::integer as pm10_days,
        sum(so2_days)::integer as so2_days,
        sum(no2_days)::integer as no2_days,
        sum(co_days)::integer as co_days,
        sum(o3_8h_days)::integer as o3_8h_days,
        bool_and(pm25_days >= month_minimum) as pm25_months_ok,
        bool_and(pm10_days >= month_minimum) as pm10_months_ok,
        bool_and(so2_days >= month_minimum) as so2_months_ok,
        bool_and(no2_days >= month_minimum) as no2_months_ok,
        bool_and(co_days >= month_minimum) as co_months_ok,
        bool_and(o3_8h_days >= month_minimum) as o3_8h_months_ok,
        max(case when period_type in ('year', 'ytd') then year_minimum else 0 end)
            as year_minimum
    from month_checks
    group by region_code, period_type, year, period_no
),

variants as (
    select unnest([false, true]) as dust_deducted
),

assessed_days as (
    select
        d.region_code,
        d.period_type,
        d.year,
        d.period_no,
        v.dust_deducted,
        d.is_valid and not (v.dust_deducted and d.is_dust_exceedance) as counted,
        d.is_good,
        d.is_exceedance,
        d.is_heavy,
        d.is_dust,
        case when v.dust_deducted and d.is_dust then null else d.pm25 end as pm25,
        case when v.dust_deducted and d.is_dust then null else d.pm10 end as pm10,
        d.so2,
        d.no2,
        d.co,
        d.o3_8h
    from period_days as d
    cross join variants as v
),

stats as (
    select
        region_code,
        period_type,
        year,
        period_no,
        dust_deducted,
        count(case when counted then 1 end)::integer as valid_days,
        count(case when counted and is_good then 1 end)::integer as good_days,
        count(case when counted and is_exceedance then 1 end)::integer as exceedance_days,
        count(case when counted and is_heavy then 1 end)::integer as heavy_days,
        count(case when is_dust then 1 end)::integer as dust_days,
        avg(pm25) as pm25,
        avg(pm10) as pm10,
        avg(so2) as so2,
        avg(no2) as no2,
        quantile_cont(co, $p_co) as co_p95,
        quantile_cont(o3_8h, $p_o3_8h) as o3_8h_p90,
        quantile_cont(so2, $p_so2) as so2_p98,
        quantile_cont(no2, $p_no2) as no2_p98,
        quantile_cont(pm25, $p_pm25) as pm25_p95,
        quantile_cont(pm10, $p_pm10) as pm10_p95
    from assessed_days
    group by region_code, period_type, year, period_no, dust_deducted
),

indexed as (
    select
        k.region_code,
        k.period_type,
        k.year,
        k.period_no,
        case k.period_type
            when 'month' then printf('%d-%02d', k.year, k.period_no)
            when 'quarter' then printf('%d-Q%d', k.year, k.period_no)
            when 'year' then k.year::varchar
            else printf('%d-YTD', k.year)
        end as period,
        k.period_start,
        k.period_end,
        k.as_of,
        s.dust_deducted,
        k.edition,
        k.period_end > k.as_of as is_partial,
        k.calendar_days,
        s.valid_days,
        s.good_days,
        bulletin_round(100.0 * s.good_days / nullif(s.valid_days, 0), r.round_ratio) as good_rate,
        100.0 * s.good_days / nullif(s.valid_days, 0) as good_rate_unrounded,
        s.exceedance_days,
        bulletin_round(100.0 * s.exceedance_days / nullif(s.valid_days, 0), r.round_ratio)
            as exceedance_rate,
        s.heavy_days,
        bulletin_round(100.0 * s.heavy_days / nullif(s.valid_days, 0), r.round_ratio)
            as heavy_rate,
        s.dust_days,
        concentration_shown(s.pm25, 'pm25', r) as pm25,
        concentration_shown(s.pm10, 'pm10', r) as pm10,
        concentration_shown(s.so2, 'so2', r) as so2,
        concentration_shown(s.no2, 'no2', r) as no2,
        concentration_shown(s.co_p95, 'co', r) as co_p95,
        concentration_shown(s.o3_8h_p90, 'o3', r) as o3_8h_p90,
        concentration_shown(s.so2_p98, 'so2', r) as so2_p98,
        concentration_shown(s.no2_p98, 'no2', r) as no2_p98,
        concentration_shown(s.pm25_p95, 'pm25', r) as pm25_p95,
        concentration_shown(s.pm10_p95, 'pm10', r) as pm10_p95,
        s.pm25 as pm25_unrounded,
        s.pm10 as pm10_unrounded,
        s.so2 as so2_unrounded,
        s.no2 as no2_unrounded,
        s.co_p95 as co_p95_unrounded,
        s.o3_8h_p90 as o3_8h_p90_unrounded,
        s.so2_p98 as so2_p98_unrounded,
        s.no2_p98 as no2_p98_unrounded,
        s.pm25_p95 as pm25_p95_unrounded,
        s.pm10_p95 as pm10_p95_unrounded,
        c.pm25_days,
        c.pm10_days,
        c.so2_days,
        c.no2_days,
        c.co_days,
        c.o3_8h_days,
        c.pm25_months_ok and c.pm25_days >= c.year_minimum as pm25_complete,
        c.pm10_months_ok and c.pm10_days >= c.year_minimum as pm10_complete,
        c.so2_months_ok and c.so2_days >= c.year_minimum as so2_complete,
        c.no2_months_ok and c.no2_days >= c.year_minimum as no2_complete,
        c.co_months_ok and c.co_days >= c.year_minimum as co_complete,
        c.o3_8h_months_ok and c.o3_8h_days >= c.year_minimum as o3_8h_complete,
        single_index(s.pm25, 'pm25', r) as pm25_index,
        single_index(s.pm10, 'pm10', r) as pm10_index,
        single_index(s.so2, 'so2', r) as so2_index,
        single_index(s.no2, 'no2', r) as no2_index,
        single_index(s.co_p95, 'co', r) as co_index,
        single_index(s.o3_8h_p90, 'o3', r) as o3_8h_index,
        composite_index_of(s.pm25, s.pm10, s.so2, s.no2, s.co_p95, s.o3_8h_p90, r)
            as composite_index,
        composite_index_unrounded_of(s.pm25, s.pm10, s.so2, s.no2, s.co_p95, s.o3_8h_p90, r)
            as composite_index_unrounded,
        r.* exclude (edition)
    from period_keys as k
    inner join stats as s
        on s.region_code = k.region_code
        and s.period_type = k.period_type
        and s.year = k.year
        and s.period_no is not distinct from k.period_no
    inner join completeness as c
        on c.region_code = k.region_code
        and c.period_type = k.period_type
        and c.year = k.year
        and c.period_no is not distinct from k.period_no
    inner join air_rule_sets as r on r.edition = k.edition
),

assessed as (
    select
        i.*,
        greatest(
            round(pm25_index, 10), round(pm10_index, 10), round(so2_index, 10),
            round(no2_index, 10), round(co_index, 10), round(o3_8h_index, 10)
        ) as top_index
    from indexed as i
),

current_period as (
    select
        region_code,
        period_type,
        year,
        period_no,
        period,
        period_start,
        period_end,
        as_of,
        dust_deducted,
        edition,
        is_partial,
        calendar_days,
        valid_days,
        good_days,
        good_rate,
        exceedance_days,
        exceedance_rate,
        heavy_days,
        heavy_rate,
        dust_days,
        pm25,
        pm10,
        so2,
        no2,
        co_p95,
        o3_8h_p90,
        so2_p98,
        no2_p98,
        pm25_p95,
        pm10_p95,
        composite_index,
        good_rate_unrounded,
        pm25_unrounded,
        pm10_unrounded,
        so2_unrounded,
        no2_unrounded,
        co_p95_unrounded,
        o3_8h_p90_unrounded,
        so2_p98_unrounded,
        no2_p98_unrounded,
        pm25_p95_unrounded,
        pm10_p95_unrounded,
        composite_index_unrounded,
        nullif(concat_ws(
            ',',
            case when round(pm25_index, 10) = top_index then 'pm25' end,
            case when round(pm10_index, 10) = top_index then 'pm10' end,
            case when round(so2_index, 10) = top_index then 'so2' end,
            case when round(no2_index, 10) = top_index then 'no2' end,
            case when round(co_index, 10) = top_index then 'co' end,
            case when round(o3_8h_index, 10) = top_index then 'o3_8h' end
        ), '') as primary_pollutant,
        pm25_index,
        pm10_index,
        so2_index,
        no2_index,
        co_index,
        o3_8h_index,
        exceedance_multiple(pm25, pm25_annual_limit) as pm25_exceedance_multiple,
        exceedance_multiple(pm10, pm10_annual_limit) as pm10_exceedance_multiple,
        exceedance_multiple(so2, so2_annual_limit) as so2_exceedance_multiple,
        exceedance_multiple(no2, no2_annual_limit) as no2_exceedance_multiple,
        exceedance_multiple(co_p95, co_24h_limit) as co_p95_exceedance_multiple,
        exceedance_multiple(o3_8h_p90, o3_8h_limit) as o3_8h_p90_exceedance_multiple,
        exceedance_multiple(so2_p98, so2_24h_limit) as so2_p98_exceedance_multiple,
        exceedance_multiple(no2_p98, no2_24h_limit) as no2_p98_exceedance_multiple,
        exceedance_multiple(pm25_p95, pm25_24h_limit) as pm25_p95_exceedance_multiple,
        exceedance_multiple(pm10_p95, pm10_24h_limit) as pm10_p95_exceedance_multiple,
        case when pm25_complete
            then pm25 <= pm25_annual_limit and pm25_p95 <= pm25_24h_limit end as pm25_compliant,
        case when pm10_complete
            then pm10 <= pm10_annual_limit and pm10_p95 <= pm10_24h_limit end as pm10_compliant,
        case when so2_complete
            then so2 <= so2_annual_limit and so2_p98 <= so2_24h_limit end as so2_compliant,
        case when no2_complete
            then no2 <= no2_annual_limit and no2_p98 <= no2_24h_limit end as no2_compliant,
        case when co_complete then co_p95 <= co_24h_limit end as co_compliant,
        case when o3_8h_complete then o3_8h_p90 <= o3_8h_limit end as o3_compliant,
        pm25_days,
        pm10_days,
        so2_days,
        no2_days,
        co_days,
        o3_8h_days,
        pm25_complete,
        pm10_complete,
        so2_complete,
        no2_complete,
        co_complete,
        o3_8h_complete,
        pm25_complete and pm10_complete and so2_complete and no2_complete and co_complete
            and o3_8h_complete as is_complete
    from assessed
),

final as (
    select
        c.*,
        c.pm25_compliant and c.pm10_compliant and c.so2_compliant and c.no2_compliant
            and c.co_compliant and c.o3_compliant as is_compliant,
        case c.pm25_compliant and c.pm10_compliant and c.so2_compliant and c.no2_compliant
                and c.co_compliant and c.o3_compliant
            when true then 'compliant'
            when false then 'non_compliant'
            else 'insufficient_data'
        end as compliance_status,
        l.good_days as good_days_last_year,
        l.good_rate as good_rate_last_year,
        l.pm25 as pm25_last_year,
        l.composite_index as composite_index_last_year,
        c.valid_days - l.valid_days as valid_days_yoy,
        c.good_days - l.good_days as good_days_yoy,
        c.good_rate - l.good_rate as good_rate_yoy,
        c.exceedance_days - l.exceedance_days as exceedance_days_yoy,
        c.heavy_days - l.heavy_days as heavy_days_yoy,
        change_pct(c.pm25, l.pm25) as pm25_yoy_pct,
        change_pct(c.pm10, l.pm10) as pm10_yoy_pct,
        change_pct(c.so2, l.so2) as so2_yoy_pct,
        change_pct(c.no2, l.no2) as no2_yoy_pct,
        change_pct(c.co_p95, l.co_p95) as co_p95_yoy_pct,
        change_pct(c.o3_8h_p90, l.o3_8h_p90) as o3_8h_p90_yoy_pct,
        change_pct(c.so2_p98, l.so2_p98) as so2_p98_yoy_pct,
        change_pct(c.no2_p98, l.no2_p98) as no2_p98_yoy_pct,
        change_pct(c.pm25_p95, l.pm25_p95) as pm25_p95_yoy_pct,
        change_pct(c.pm10_p95, l.pm10_p95) as pm10_p95_yoy_pct,
        change_pct(c.composite_index, l.composite_index) as composite_index_yoy_pct
    from current_period as c
    left join current_period as l
        on l.region_code = c.region_code
        and l.period_type = c.period_type
        and l.year = c.year - 1
        and l.period_no is not distinct from c.period_no
        and l.dust_deducted = c.dust_deducted
    where list_contains($out_years::integer[], c.year) or (c.period_type = 'ytd' and $all_ytd)
)

select * from final
order by region_code, period_type, year, period_no, dust_deducted
