"""Engagement: visits, account plans (SWOT, goals, actions, reviews), competitors and customer feedback.

Rules worth knowing (the code says the rest):

- Visits, plans and competitor intelligence are commercial: they follow the customer's scope, but NOC
  engineers and customer users never see them. Feedback is also seen by NOC in its region and by whoever it
  is routed to; the routed user decides, the customer's team routes, edits and closes.
- A customer is overdue for a visit when its last visit that took place is more than its grade's cadence
  ago, counted in local dates (``TierPolicy.visit_cadence_days``, else A1/A2 30, B1/B2 90, C 180, D 365
  days); churned customers are not counted. The daily reminder goes to the customer's lead AM, or to the
  lead AM of the nearest group customer above it, once per customer per ISO week.
- A plan's content changes only as a draft or after it was returned (409 otherwise). Once approved, its
  actions' status still moves and reviews (复盘) are still added: that is the plan being carried out.
- Feedback turnaround: median and 90th percentile (linear interpolation) of collected→decided and
  collected→closed, by kind, over the feedback collected in the period that the user may see.
"""
