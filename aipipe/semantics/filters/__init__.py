"""The message filters of the clouds aipipe deploys to: parse, validate and evaluate them.

* Google Cloud Pub/Sub subscription filters, e.g. ``attributes.kind = "image" AND NOT attributes:test``
  (https://cloud.google.com/pubsub/docs/subscription-message-filter, cited below as [GCP]).
* Amazon SNS subscription filter policies in the default ``MessageAttributes`` scope, e.g.
  ``{"kind": ["image"], "size": [{"numeric": [">", 0, "<=", 100]}]}``
  (https://docs.aws.amazon.com/sns/latest/dg/ plus the page named in each comment, cited below as [SNS page]).

``parse_pubsub_filter`` and ``parse_sns_filter_policy`` raise :class:`FilterError` for what the cloud would refuse,
with one sentence naming the problem and the fix; ``matches`` decides delivery as the cloud does, for local runs.
Where the documentation is silent the code follows the clouds' own engines: Google's fake server
(googleapis/google-cloud-go pubsub/pstest) and the AWS rule engine whose error texts SNS returns (aws/event-ruler,
JsonRuleCompiler.java), cross-checked with localstack's SNS tests recorded against AWS. Standard library only.
"""

from aipipe.semantics.filters.errors import FilterError
from aipipe.semantics.filters.pubsub import PubSubFilter, parse_pubsub_filter
from aipipe.semantics.filters.sns import SnsFilterPolicy, parse_sns_filter_policy

# The filter a subscription's `filter` is on each cloud: what validation parses and the local runner evaluates.
FILTER_PARSERS = {"gcp": parse_pubsub_filter, "aws": parse_sns_filter_policy}


def delivers(cloud: str, subscription_filter, attributes) -> bool:
    """Whether a subscription with `filter` (None: none) on `cloud` receives a message with these attributes."""
    if subscription_filter is None:
        return True
    return FILTER_PARSERS[cloud](subscription_filter).matches(attributes)


__all__ = [
    "FILTER_PARSERS",
    "FilterError",
    "PubSubFilter",
    "SnsFilterPolicy",
    "delivers",
    "parse_pubsub_filter",
    "parse_sns_filter_policy",
]
