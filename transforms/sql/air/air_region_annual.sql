-- Region x year and year to date (warehouse contract `air_region_annual`): the year and ytd
-- rows of air_region_period. Two rows per region and period: dust_deducted false (as
-- measured) and true (扣除沙尘); as_of is the last day the row covers.
create or replace view air_region_annual as
with annual as (
    select *
    from air_region_period
    where period_type in ('year', 'ytd')
),

final as (
    select
        region_code,
        year,
        period_type,
        as_of,
        dust_deducted,
        valid_days,
        good_days,
        good_rate,
        pm25,
        pm10,
        so2,
        no2,
        co_p95,
        o3_8h_p90,
        composite_index,
        * exclude (
            region_code, year, period_type, as_of, dust_deducted, valid_days, good_days,
            good_rate, pm25, pm10, so2, no2, co_p95, o3_8h_p90, composite_index, period_no
        )
    from annual
)

select * from final
