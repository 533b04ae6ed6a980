"""The runtime every generated package carries: contracts, the service handler, clients.

Copied verbatim into each service package's `src/` and into the strangled monolith, so
neither imports mono2lambda at run time. Needs pydantic (contracts), and
aws-lambda-powertools (logging) on the service side; boto3 only for the `lambda`
transport, which the Lambda runtime already provides.

    contract.py    pydantic request and response models built from a function's hints
    passthrough.py which values pydantic gives back unchanged (the contract's shortcut)
    errors.py      the error envelope: exceptions to JSON and back to their own classes
    service.py     the Lambda handler side: validate, call, serialise, map errors
    triggers.py    event-triggered operations: SQS, Kinesis, DynamoDB (partial batch
                   failures), SNS, EventBridge, S3, schedules, HTTP, via Powertools
    client.py      the caller side: one `call` used by every proxy function
    transports.py  `local` (the package in-process, kept apart) and `lambda` (boto3)
    worker.py      the process behind the `local` transport: one service's handler
    processes.py   starting a worker with its pipes, killing a process with its group
    describe.py    prints the JSON Schemas of operations (run by `mono2lambda extract`
                   from its own copy; packages do not carry it)
"""
