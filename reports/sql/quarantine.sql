-- What was quarantined (all files; quarantined cells cannot always be tied to one region):
-- counts by reason, with the number of files and one example.
select
    reason,
    count(*) as cells,
    count(distinct source_file) as files,
    min(raw) as example
from quarantine
group by reason
order by cells desc, reason
