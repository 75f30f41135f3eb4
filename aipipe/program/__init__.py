"""From a validated Spec to the values the program templates render: expressions, IAM, resource views."""
