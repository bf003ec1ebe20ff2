"""Checks the deployment files: the SAM template with cfn-lint, the Terraform module parsed
with python-hcl2 and checked for the inputs, resources and IAM actions it must have.

usage: python scripts/check_deploy.py   (from the test venv; exits non-zero on a problem)
"""
import pathlib
import subprocess
import sys

import hcl2

root = pathlib.Path(__file__).resolve().parent.parent
problems = []

cfn_lint = pathlib.Path(sys.executable).parent / "cfn-lint"
lint = subprocess.run([str(cfn_lint), str(root / "deploy/sam/template.yaml")], capture_output=True, text=True)
if lint.returncode != 0:
    problems.append("cfn-lint deploy/sam/template.yaml:\n" + lint.stdout + lint.stderr)

sam = (root / "deploy/sam/template.yaml").read_text()
for needed in ["ReportBatchItemFailures", "MaximumBatchingWindowInSeconds", "deadLetterTargetArn", "Type: SNS",
               "dynamodb:BatchWriteItem", "dynamodb:PutItem", "execute-api:ManageConnections", "provided.al2023"]:
    if needed not in sam:
        problems.append(f"deploy/sam/template.yaml lacks {needed}")

module = {}
for path in sorted((root / "deploy/terraform").glob("*.tf")):
    try:
        with path.open() as file:
            parsed = hcl2.load(file)
    except Exception as error:  # a parse error names the file and line
        problems.append(f"{path.relative_to(root)} does not parse: {error}")
        continue
    for key, value in parsed.items():
        module.setdefault(key, []).extend(value)

def label(text):
    return text.strip('"')


variables = {label(name) for block in module.get("variable", []) for name in block}
for name in ["prefix", "connections_table", "apigw_endpoint", "apigw_execution_arn", "notifications_topic_arn", "notifications_queue_arn"]:
    if name not in variables:
        problems.append(f"the Terraform module has no variable {name}")
resources = {f"{label(kind)}.{label(name)}" for block in module.get("resource", []) for kind, named in block.items() for name in named}
for name in ["aws_lambda_function.router", "aws_lambda_event_source_mapping.queue", "aws_sns_topic_subscription.topic", "aws_iam_role_policy.router"]:
    if name not in resources:
        problems.append(f"the Terraform module has no resource {name}")
text = "".join(path.read_text() for path in (root / "deploy/terraform").glob("*.tf"))
for needed in ["ReportBatchItemFailures", "dynamodb:BatchWriteItem", "dynamodb:PutItem", "execute-api:ManageConnections", "provided.al2023"]:
    if needed not in text:
        problems.append(f"the Terraform module lacks {needed}")

if problems:
    print("\n".join(problems), file=sys.stderr)
    sys.exit(1)
print("check_deploy.py: SAM template lints clean; Terraform module parses with its inputs, resources and IAM actions")
