-- One line per expectation of a run, for the Prefect table artifact and the Data Docs page:
-- failures first (critical before warning), then by suite and expectation.
with run as (
    select *
    from validation_results
    where run_id = $run_id
),

per_expectation as (
    select
        suite,
        expectation,
        any_value(severity) as severity,
        any_value(action) as action,
        count(*) as batches,
        count(*) filter (where not success) as failed_batches,
        sum(unexpected_count) as unexpected,
        first(unexpected_sample order by unexpected_count desc)
            filter (where unexpected_sample <> '' and not success) as example
    from run
    group by suite, expectation
),

final as (
    select *
    from per_expectation
    order by
        failed_batches = 0,
        severity <> 'critical',
        suite,
        expectation
)

select * from final
