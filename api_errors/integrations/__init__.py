"""Optional integrations that carry the correlation id beyond the request.

Each is a module of its own that imports its library; only ``API_ERRORS["INTEGRATIONS"]``
(or, for outgoing HTTP, the project's own import) reaches it, so an integration that is
not turned on costs nothing and needs nothing installed.
"""
