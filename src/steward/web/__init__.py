"""The web dashboard face: server-rendered Jinja2 pages with htmx, vendored (no CDN).

Pages call the same services as the API and CLI. Every page declares who may see it with
:func:`steward.web.deps.page`; log-in uses server-side sessions and every form carries a CSRF token.
No inline script is used, so the Content-Security-Policy can forbid it.
"""
