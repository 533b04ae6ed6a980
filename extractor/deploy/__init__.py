"""Deploying a generated service package to AWS (or a local emulator) with CloudFormation.

    service.py      the generated package as the deployer reads it
    dependencies.py requirements installed for Lambda's platform, cached by hash
    package.py      the reproducible code zip
    translate.py    SAM -> CloudFormation, offline
    limits.py       Lambda's and CloudFormation's limits, checked before any upload
    plan.py         the deploy plan: steps as data (pure)
    executor.py     runs a plan (Executor) or previews it (DryRunExecutor)
    watch.py        polling change sets and stacks, passing stack events on
    emulator.py     moto's server inside this process
    (../aws.py      the one module that imports boto3: a typed client, shared with `invoke`)
    deployment.py   deploy_package: the one function the command calls

Nothing is imported here: boto3 and the SAM translator take most of a second to import,
and the command line should not pay that for every other command.
"""
