"""Webhooks: a project's endpoints for its events (batch imported, item complete, project
complete, export ready, judgment submitted), deliveries signed with HMAC-SHA256 and sent as
jobs of the task queue with retries, a log of every delivery, and re-sending.

- ``events``: the event names, and how services announce one.
- ``services``: register, change and remove endpoints; re-send a delivery.
- ``signing``: the signature headers (and how a receiver checks them: the README).
- ``http``: the POST, refusing private, loopback and link-local targets on every hop.
- ``jobs``: the delivery job (kind ``webhook``).
- ``views``, ``api``: the project settings page and the API.
"""
