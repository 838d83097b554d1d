"""Journey analytics: funnels, paths, channel switching, attribution, silo vs unified,
omnichannel impact, cohorts and web analytics — typed queries run in the event store.
"""

from __future__ import annotations

from omnicx.journeys._query import Scope, parse_duration, parse_time, scope_from
from omnicx.journeys._registry import Analysis, analyses, analysis, run_analysis

__all__ = [
    "Analysis",
    "Scope",
    "analyses",
    "analysis",
    "parse_duration",
    "parse_time",
    "run_analysis",
    "scope_from",
]
