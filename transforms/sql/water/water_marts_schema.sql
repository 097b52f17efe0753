-- Water marts, recreated empty by transforms/water/marts.py before each build (then filled
-- with `insert ... by name`). Classes: 1..5 = Ⅰ..Ⅴ, 6 = 劣Ⅴ (GB 3838-2002, 环办〔2011〕22号).

-- One row per section and period: month 'YYYY-MM', quarter 'YYYY-Qn', year 'YYYY', year to
-- date 'YYYY-YTD' (1 January .. the as_of month-day of every year, so years compare).
create or replace table water_section_period (
    section_code varchar not null,
    section_name varchar,
    period varchar not null,
    period_type varchar not null,       -- month / quarter / year / ytd
    year integer not null,
    as_of date not null,                -- samples up to this date
    water_type varchar,                 -- river / lake (lake TP limits)
    class integer,                      -- worst of the 21 assessed items (no temp, TN, fecal coliform)
    class_label varchar,                -- Ⅰ .. Ⅴ, 劣Ⅴ
    status varchar,                     -- 优 / 良好 / 轻度污染 / 中度污染 / 重度污染
    target_class integer,
    meets_target boolean,               -- class <= target_class
    target_miss_items varchar,          -- items whose class is worse than the target (Chinese)
    worst_parameters varchar,           -- item codes at the section class (empty for class Ⅰ)
    main_pollutants varchar,            -- up to 3 items worse than Ⅲ (Chinese, 、-separated)
    exceedance varchar,                 -- e.g. 总磷(0.6)、氨氮(0.2): multiples vs class Ⅲ
    tn_class integer,                   -- lakes and reservoirs only: TN class, reported apart
    n_samples bigint,                   -- sampling times that gave the period values
    last_year_class integer,            -- class of the same period one year earlier
    class_change integer,               -- class - last_year_class (> 0: worse)
    temp double, ph double, "do" double, codmn double, cod double, bod5 double, nh3n double,
    tp double, tn double, cu double, zn double, fluoride double, se double, "as" double,
    hg double, cd double, cr6 double, pb double, cn double, phenol double, oil double,
    las double, sulfide double, fecal_coliform double   -- period means (mg/L; pH; 个/L)
);

-- The year to date through each month (period 'YYYY-MM' = 1 January .. end of that month),
-- for the warnings; same columns as water_section_period.
create or replace table water_section_ytd_by_month as
select * from water_section_period limit 0;

-- One row per group (region with its sub-regions' sections, river, basin) and period.
create or replace table water_region_summary (
    group_type varchar not null,        -- region / river / basin
    group_code varchar not null,        -- region code, or the river / basin name
    group_name varchar,
    period_type varchar not null,
    period varchar not null,
    as_of date not null,
    method varchar not null,            -- mean (< 5 sections) / proportion (>= 5)
    n_sections bigint not null,
    class integer,                      -- method 'mean' only: class of the item means
    status varchar,                     -- 优 / 良好 / 轻度污染 / 中度污染 / 重度污染
    share_class_1_3 double,             -- percent of sections at Ⅰ-Ⅲ
    share_class_6 double,               -- percent of sections at 劣Ⅴ
    n_with_target bigint,
    n_meeting_target bigint,
    share_meeting_target double,        -- percent of sections with a target that meet it
    n_drinking_sources bigint,
    n_drinking_ok bigint,               -- drinking-water sources at class Ⅲ or better
    share_drinking_sources_ok double,
    last_year_class integer,
    last_year_share_class_1_3 double,
    last_year_share_class_6 double,
    class_change integer,
    change_share_class_1_3 double,      -- percentage points vs the same period last year
    change_share_class_6 double
);
