"""Deploying through Pulumi's Automation API: settings, the stack seam, progress, operations, doctor."""
