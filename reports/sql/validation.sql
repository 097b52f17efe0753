-- Expectations of the latest validation run that failed: suite, expectation, severity, how many
-- batches failed and how many values were unexpected.
with last_run as (
    select run_id
    from validation_results
    order by validated_at desc
    limit 1
),

final as (
    select
        vr.suite,
        vr.expectation,
        vr.severity,
        count(*) as failed_batches,
        sum(vr.unexpected_count) as unexpected_values
    from validation_results as vr
    inner join last_run on vr.run_id = last_run.run_id
    where not vr.success
    group by all
)

select * from final
order by severity, suite, expectation
