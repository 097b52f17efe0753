-- The assessment rules every mart and target verdict applies, defined once as temp macros
-- (run by transforms/assessment.py's assessment_macros before air_region_period, the
-- rankings and target_progress). The numbers come from a row `r` of air_rule_sets (the
-- rule-set YAML of the edition, written by transforms/assessment.py's write_rule_sets).

-- GB/T 8170 数值修约 (round half to even, 四舍六入五成双) to `decimals` places of the decimal
-- value the statistic stands for: 42.5 -> 42, 43.5 -> 44, 0.35 -> 0.4, 0.25 -> 0.2, and a sum
-- that is exactly 4.025 (stored as 4.02499999...) -> 4.02. A scaled value within 1e-7 of a
-- half is that half (binary storage, parallel summation noise), as transforms.air.aqi's
-- round_half_even does for the Python side. Bulletins and assessments judge these rounded
-- figures against limits and targets (HJ 633-2026 §4.2.2 for concentrations).
create or replace temp macro scaled_half_even(y) as
    case
        when abs(abs(y - floor(y)) - 0.5) < 1e-7
            then floor(y) + (floor(y)::hugeint % 2 <> 0)::integer
        else round(y)
    end;

create or replace temp macro bulletin_round(x, decimals) as
    scaled_half_even(x::double * pow(10, decimals::integer)) / pow(10, decimals::integer);

-- the official (rounded) figure of a concentration statistic of `pollutant`
-- ('pm25', 'pm10', 'so2', 'no2', 'co', 'o3'; rule set `rounding`)
create or replace temp macro concentration_shown(x, pollutant, r) as
    bulletin_round(
        x,
        case pollutant
            when 'pm25' then r.round_pm25
            when 'pm10' then r.round_pm10
            when 'so2' then r.round_so2
            when 'no2' then r.round_no2
            when 'co' then r.round_co
            else r.round_o3
        end
    );

-- single index I_i = C_i / S_i of the ranking scheme (城市环境空气质量排名技术规定), C_i the
-- rounded period statistic, S_i the rule set's composite_index denominator
create or replace temp macro single_index(x, pollutant, r) as
    concentration_shown(x, pollutant, r)
    / case pollutant
        when 'pm25' then r.s_pm25
        when 'pm10' then r.s_pm10
        when 'so2' then r.s_so2
        when 'no2' then r.s_no2
        when 'co' then r.s_co
        else r.s_o3_8h
    end;

-- composite index (综合指数) I_sum = Σ I_i over the six pollutants, from the rounded
-- statistics (means of PM2.5, PM10, SO2, NO2; CO 95th and O3-8h 90th percentiles), rounded to
-- the rule set's decimals (2); NULL unless all six are known
create or replace temp macro composite_index_of(pm25, pm10, so2, no2, co_p95, o3_8h_p90, r) as
    bulletin_round(
        single_index(pm25, 'pm25', r) + single_index(pm10, 'pm10', r)
        + single_index(so2, 'so2', r) + single_index(no2, 'no2', r)
        + single_index(co_p95, 'co', r) + single_index(o3_8h_p90, 'o3', r),
        r.round_index
    );

-- the same index unrounded, from the unrounded statistics (for analysts)
create or replace temp macro composite_index_unrounded_of(
    pm25, pm10, so2, no2, co_p95, o3_8h_p90, r
) as
    pm25 / r.s_pm25 + pm10 / r.s_pm10 + so2 / r.s_so2 + no2 / r.s_no2 + co_p95 / r.s_co
    + o3_8h_p90 / r.s_o3_8h;
