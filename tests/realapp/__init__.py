"""A DRF project as people really write one, to check the schema api_errors documents.

ModelViewSets on a DefaultRouter with per-action permissions, pagination, django-filter,
search and ordering, Basic and session authentication, custom actions with ``@raises``,
api_errors' ``rate_limit``, django-ratelimit and DRF's scoped throttle, ``@api_view``
functions, and a view whose author wrote part of its responses by hand.
"""
