"""A service's deployment settings in the plan: environment, secrets, vpc, layers and
policies, read into the model and checked with the line of each problem."""

from __future__ import annotations

import pytest

from analyzer.boundaries.plan import parse_plan
from analyzer.boundaries.plan.model import Vpc
from analyzer.errors import PlanError

HEAD = "version: 1\nsource: shop\nservices:\n  a:\n    modules: [shop.a]\n"  # the service's keys start on line 6
LAYER = "arn:aws:lambda:us-east-1:123456789012:layer:deps:3"
STATEMENT = "{Effect: Allow, Action: [s3:GetObject], Resource: 'arn:aws:s3:::shop-media/*'}"


def problems(body: str) -> list[tuple[int | None, str]]:
    with pytest.raises(PlanError) as caught:
        parse_plan(HEAD + body, "b.yaml")
    return [(problem.line, f"{problem.message} ({problem.hint})") for problem in caught.value.problems]


def test_every_key_is_read_into_the_service() -> None:
    service = parse_plan(HEAD + (
        "    environment:\n      DATABASE_HOST: db.internal\n      DEBUG: \"0\"\n"
        "    secrets:\n      DB_PASSWORD: ssm:/shop/db-password\n      API_KEY: secretsmanager:shop/api-key\n"
        "    vpc:\n      subnet_ids: [subnet-0123456789abcdef0, subnet-0fedcba9]\n"
        "      security_group_ids: [sg-0123456789abcdef0]\n"
        f"    layers: [\"{LAYER}\"]\n"
        f"    policies:\n      - arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess\n      - {STATEMENT}\n"
    )).plan.services[0]
    assert service.environment == (("DATABASE_HOST", "db.internal"), ("DEBUG", "0"))
    assert service.secrets == (("API_KEY", "secretsmanager:shop/api-key"), ("DB_PASSWORD", "ssm:/shop/db-password"))
    assert service.vpc == Vpc(("subnet-0123456789abcdef0", "subnet-0fedcba9"), ("sg-0123456789abcdef0",))
    assert service.layers == (LAYER,)
    statement = {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::shop-media/*"}
    assert service.policies == ("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess", statement)


def test_left_out_they_are_empty() -> None:
    service = parse_plan(HEAD).plan.services[0]
    assert (service.environment, service.secrets, service.vpc, service.layers, service.policies) == ((), (), None,
                                                                                                       (), ())


@pytest.mark.parametrize(("body", "line", "words"), [
    ("    environment: [A]\n", 6, "must map variable names"),
    ("    environment:\n      PORT: 8080\n", 7, "must be a string: quote it"),
    ("    environment:\n      1BAD: x\n", 7, "not an environment variable name"),
    ("    environment:\n      AWS_REGION: eu-west-1\n", 7, "set by Lambda or by mono2lambda"),
    ("    environment:\n      DJANGO_SETTINGS_MODULE: x.settings\n", 7, "set by Lambda or by mono2lambda"),
    ("    secrets:\n      DB: vault:/db\n", 7, "ssm:/path"),
    ("    secrets:\n      DB: ssm:db\n", 7, "bad value for 'DB'"),
    ("    environment:\n      DB: x\n    secrets:\n      DB: ssm:/db\n", 9, "both in `environment` and in `secrets`"),
    ("    vpc: [subnet-0123abcd]\n", 6, "`vpc` must be a mapping"),
    ("    vpc:\n      subnet_ids: [subnet-0123abcd]\n", 6, "non-empty list `security_group_ids:`"),
    ("    vpc:\n      subnet_ids: [subnet-0123abcd]\n      security_group_ids: [default]\n", 8, "not an id like sg-"),
    ("    vpc:\n      subnet_ids: []\n      security_group_ids: [sg-0123abcd]\n", 7, "non-empty list `subnet_ids:`"),
    ("    vpc:\n      subnets: [subnet-0123abcd]\n      subnet_ids: [subnet-0123abcd]\n"
     "      security_group_ids: [sg-0123abcd]\n", 7, "did you mean 'subnet_ids'"),
    ("    layers: " + LAYER + "\n", 6, "must be a list of layer version ARNs"),
    ("    layers: [deps]\n", 6, "not a layer version ARN"),
    ("    layers: [" + ", ".join([LAYER] * 6) + "]\n", 6, "at most 5"),
    ("    policies: AmazonS3ReadOnlyAccess\n", 6, "must be a list"),
    ("    policies:\n      - AmazonS3ReadOnlyAccess\n", 7, "not a managed policy ARN"),
    ("    policies:\n      - {Effect: Maybe, Action: s3:GetObject, Resource: '*'}\n", 7, "Effect"),
    ("    policies:\n      - {Effect: Allow, Resource: '*'}\n", 7, "exactly one of `Action` or `NotAction`"),
    ("    policies:\n      - {Effect: Allow, Action: [1], Resource: '*'}\n", 7, "`Action` must be a string"),
    ("    policies:\n      - {Effect: Allow, Action: s3:GetObject, Resource: '*', Principal: x}\n", 7,
     "unknown key 'Principal'"),
    ("    policies:\n      - 12\n", 7, "neither a managed policy ARN nor an IAM statement"),
])
def test_each_problem_has_its_line(body: str, line: int, words: str) -> None:
    found = problems(body)
    assert any(at == line and words in message for at, message in found), found
