-- Billable rows of $day that no price matched (cost_usd is NULL), by model: each is spend the reports cannot count.
select model, count(*) as unpriced_rows
from priced_usage
where day = $day and billable and cost_usd is null
group by model
order by unpriced_rows desc, model
