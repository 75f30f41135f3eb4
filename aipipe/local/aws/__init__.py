"""The local AWS cloud of `aipipe run` and `aipipe invoke`: a stack's buckets, topics, queues, streams, tables and
state machines on moto's server (in this process, on 127.0.0.1), its bucket contents as files under the data
folder, and what happens to them reported as occurrences (aipipe.local.contract)."""

from aipipe.local.aws.cloud import AwsLocalCloud

__all__ = ["AwsLocalCloud"]
