"""Flask-free SMS toolkit: segment counting, inbound command parsing and outbound gateways.

Nothing in this package imports Flask or ``app``; app/notify adapts it to the web app, which keeps the
parser and the gateways testable on their own and usable from CLI workers.
"""
