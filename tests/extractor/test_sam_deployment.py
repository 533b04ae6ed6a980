"""The plan's deployment settings in the SAM template: environment, secrets (and exactly the
read permissions they need), VPC, layers and policies, each through cfn-lint and SAM's own
translator."""

from __future__ import annotations

from typing import Any

import pytest

from extractor.sam import Function, Template, render_template

from .validators import lint_problems, load_yaml, translate

LAYER = "arn:aws:lambda:us-east-1:123456789012:layer:deps:3"
SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:shop/stripe-AbCdEf"


def rendered(**fields: Any) -> tuple[str, dict[str, Any]]:
    fn = Function("NotesFunction", "site-notes", "handler.handler", "notes", 256, 30, False, (), (),
                  fields.pop("environment", ()), **fields)
    text = render_template(Template("notes", "site: notes", "python3.12", "x86_64", (fn,), "site-notes"))
    assert lint_problems(text) == []
    return text, translate(text)


def role(cloudformation: dict[str, Any]) -> dict[str, Any]:
    return cloudformation["Resources"]["NotesFunctionRole"]["Properties"]  # type: ignore[no-any-return]


def statements(cloudformation: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for policy in role(cloudformation).get("Policies", []) for s in policy["PolicyDocument"]["Statement"]]


def test_environment_variables_are_the_functions() -> None:
    _, cloudformation = rendered(environment=(("DATABASE_HOST", "db.internal"),
                                              ("DJANGO_SETTINGS_MODULE", "proj.settings")))
    variables = cloudformation["Resources"]["NotesFunction"]["Properties"]["Environment"]["Variables"]
    assert variables["DJANGO_SETTINGS_MODULE"] == "proj.settings" and variables["DATABASE_HOST"] == "db.internal"


def test_secrets_grant_reading_exactly_those_parameters_and_secrets() -> None:
    text, cloudformation = rendered(secrets=(("DB_PASSWORD", "ssm:/shop/db-password"),
                                             ("API_KEY", "secretsmanager:shop/api-key"),
                                             ("STRIPE", f"secretsmanager:{SECRET_ARN}")))
    assert "DB_PASSWORD" not in text  # the values are read at cold start, not written here
    found = {tuple(s["Action"]): s["Resource"] for s in statements(cloudformation)}
    prefix = "arn:${AWS::Partition}:%s:${AWS::Region}:${AWS::AccountId}:"
    assert found == {
        ("ssm:GetParameter",): [{"Fn::Sub": prefix % "ssm" + "parameter/shop/db-password"}],
        ("secretsmanager:GetSecretValue",): [{"Fn::Sub": prefix % "secretsmanager" + "secret:shop/api-key-??????"},
                                             SECRET_ARN],
    }


def test_no_secrets_no_secret_permissions() -> None:
    _, cloudformation = rendered()
    assert statements(cloudformation) == []


def test_a_vpc_gets_its_config_and_the_eni_policy() -> None:
    _, cloudformation = rendered(vpc=(("subnet-0123abcd", "subnet-0456abcd"), ("sg-0123abcd",)))
    properties = cloudformation["Resources"]["NotesFunction"]["Properties"]
    assert properties["VpcConfig"] == {"SubnetIds": ["subnet-0123abcd", "subnet-0456abcd"],
                                       "SecurityGroupIds": ["sg-0123abcd"]}
    assert any(arn.endswith("service-role/AWSLambdaVPCAccessExecutionRole")
               for arn in role(cloudformation)["ManagedPolicyArns"])


def test_layers_are_the_functions() -> None:
    _, cloudformation = rendered(layers=(LAYER,))
    assert cloudformation["Resources"]["NotesFunction"]["Properties"]["Layers"] == [LAYER]


@pytest.mark.parametrize("policies", [
    ("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",),
    ({"Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": "arn:aws:kms:us-east-1:123456789012:key/k"},),
])
def test_the_plans_policies_are_added_as_written(policies: tuple[object, ...]) -> None:
    text, cloudformation = rendered(policies=policies)
    if isinstance(policies[0], str):
        assert policies[0] in role(cloudformation)["ManagedPolicyArns"]
    else:
        assert statements(cloudformation) == [policies[0]]
    assert load_yaml(text)["Resources"]["NotesFunction"]["Properties"]["Policies"]
