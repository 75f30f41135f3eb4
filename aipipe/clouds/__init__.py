"""Facts about each cloud, as data, each with its source: regions, tags and labels (with the ones aipipe adds),
function runtimes and limits, the Pulumi resource types aipipe creates (which hold data, which inputs force a
replacement, what a provider computes for them under mocks), service principals and emulator services."""
