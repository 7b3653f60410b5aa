"""Which reports describe the same event. Pure code: profiles in, clustering decisions out."""

from matcher.blocking import blocking_keys, index_keys, query_keys
from matcher.cluster import Candidate, Clustering, Decision, cluster
from matcher.component import expand_component
from matcher.features import DEFAULT_CONFIG, MatcherConfig, PairScore, score_pair
from matcher.profile import ReportProfile, profile_from_extraction

MATCHER_VERSION = "match-1.3"

__all__ = [
    "DEFAULT_CONFIG",
    "MATCHER_VERSION",
    "Candidate",
    "Clustering",
    "Decision",
    "MatcherConfig",
    "PairScore",
    "ReportProfile",
    "blocking_keys",
    "cluster",
    "expand_component",
    "index_keys",
    "profile_from_extraction",
    "query_keys",
    "score_pair",
]
