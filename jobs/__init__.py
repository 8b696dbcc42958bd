"""The job queue: background work as rows in PostgreSQL (procrastinate), written in the caller's transaction.

- `jobs.queue.enqueue(session, task, ...)`: write a job in the caller's transaction (requests, CLI, other jobs).
  Domain code may call it; nothing runs until the transaction commits, and a rollback takes the job with it.
- `jobs.tasks`: the tasks, each a thin call into a domain function, and the periodic schedule.
- `jobs.worker`: runs them (`flask jobs worker`), each in the Flask app's context with its own Session.
- `jobs.status`: queue depth and failed jobs for the operator console, and retrying one.
"""
