-- Sand-dust days (沙尘天) flagged by the bureau, per region and natural day.
-- 环办监测〔2016〕120号: dust-affected PM data are deducted in assessments. A flag on a region
-- also covers every region below it (a province flag covers its cities and counties).
-- Loaded by the flow from data/config/dust_days.csv when present; created empty otherwise.
create table if not exists air_dust_flags (
    region_code varchar not null,
    date date not null,
    note varchar
);
