"""SMS spend: the one place that decides whether a stranger may make Jishi send another SMS (the
SMS budgets against SMS pumping, docs/sms-spend.md) and the human check the code forms ask first.

Below the domains that send codes (members) or station confirmations (postings): it imports no
domain. When a budget fills up it sends the ``budget_reached`` signal (signals.py); app.notify
tells the admins."""
