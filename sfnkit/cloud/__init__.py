"""The AWS edge: deploy, packaging, IAM policies, SAM/CloudFormation templates (the only package that imports boto3,
and only inside the functions that call AWS)."""

__all__: list[str] = []
