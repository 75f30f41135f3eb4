"""What aipipe does without a cloud: plan under Pulumi mocks, graph, diff, and the generated docs."""
