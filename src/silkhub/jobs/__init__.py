"""Background jobs: long work (imports, reports, fits ...) run off the request.

* :mod:`silkhub.jobs.state` — the job row's life cycle in the SQL database (claim with fencing,
  progress + cancel flag, finish, the reaper); the database is the source of truth.
* :mod:`silkhub.jobs.kinds` — what can run as a job: per-kind pydantic parameters, who may
  submit it, and the function that does the work (calling the existing services).
* :mod:`silkhub.jobs.service` — submit, list, show, cancel, download (ownership + audit).
* :mod:`silkhub.jobs.engines` — how a job reaches a worker: ``inline`` (a thread pool in this
  process, the embedded default) or Dramatiq over RabbitMQ (``amqp://``) or Redis
  (``redis://``), chosen by ``SILKHUB_JOBS_BROKER``.
* :mod:`silkhub.jobs.worker` — ``silkhub jobs worker``: a Dramatiq worker process.
"""
