"""`mono2lambda serve`: a local Lambda endpoint without Docker.

    functions.py  the pure part: SAM templates -> function specs, and each worker's environment
    protocol.py   the pure part: Invoke API requests in, HTTP answers and Lambda's error payloads out
    plan.py       plan, then execute: the functions, the installs still to run, the notes
    deps.py       adapter: each package's requirements (and boto3, as Lambda provides it), pip-installed
                  once per hash into a cache
    worker.py     adapter: one worker process and the pipes to it; the process runs the `local`
                  transport's program, m2l_runtime/worker.py (stdlib only: its path is the package,
                  its requirements, boto3)
    runner.py     one function: its pool of workers, timeouts, restarts, and the order of Event calls
    server.py     adapter: the HTTP server that ties requests to runners
    invoke.py     adapter: boto3's `invoke` for `mono2lambda invoke`

Only workers run a package's code, each with only that package (its `src/` and its installed
requirements) on its path, so a file or dependency the package lacks fails here as on AWS.
"""
