"""``silkhub jobs``: list, show, submit, cancel and download jobs; run a job worker.

Heavy imports (the job service, Dramatiq) happen inside the commands, so that loading this
module costs nothing at CLI start-up.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from silkhub.cli.common import FormatOpt, OutOpt, runtime
from silkhub.cli.output import Format, console, emit, err_console

app = typer.Typer(
    help=(
        "Background jobs (reports, imports ...): list, show, submit, cancel, download; "
        "`silkhub jobs worker` runs a job worker (needs SILKHUB_JOBS_BROKER)."
    ),
    no_args_is_help=True,
)

_COLUMNS = ["id", "kind", "status", "progress", "message", "owner", "attempts", "created_at"]


def _service():  # type: ignore[no-untyped-def]
    from silkhub.jobs.service import job_service

    return job_service(runtime())


def _actor():  # type: ignore[no-untyped-def]
    from silkhub.hub.policy import Actor

    return Actor.system("cli")


def _row(v: Any) -> dict[str, Any]:
    return {
        "id": v.id,
        "kind": v.kind,
        "status": v.status,
        "progress": f"{v.progress_pct}%",
        "message": v.error_message if v.status == "failed" else (v.progress_message or ""),
        "owner": v.owner_label,
        "attempts": f"{v.attempts}/{v.max_attempts}",
        "created_at": v.created_at.isoformat(timespec="seconds"),
    }


def _full(v: Any) -> dict[str, Any]:
    from silkhub.hub.audit import to_jsonable

    return {k: to_jsonable(x) for k, x in v.model_dump().items()}


def wait_for(job_id: str, *, quiet: bool = False, poll: float = 0.5) -> Any:
    """Poll until the job ends, showing a progress line on stderr; returns its view."""
    svc, actor = _service(), _actor()
    last = None
    while True:
        v = svc.get(actor, job_id)
        line = f"{v.status} {v.progress_pct:3d}% {v.progress_message or ''}"
        if not quiet and line != last:
            err_console.print(line, highlight=False)
            last = line
        if v.done:
            return v
        time.sleep(poll)


def _finish(v: Any, out: Path | None, quiet: bool) -> None:
    if v.status == "succeeded":
        if out is not None and v.files:
            name, _media, content = _service().file(_actor(), v.id, 0)
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(content)
            if not quiet:
                console.print(f"wrote {out} ({len(content):,} bytes) from {name}")
        elif not quiet:
            console.print(json.dumps(v.result, ensure_ascii=False))
        return
    from silkhub.errors import SilkhubError

    err = SilkhubError(f"job {v.id} {v.status}: {v.error_message or v.progress_message or ''}")
    err.code = v.error_code or "job-failed"
    raise err


def _parse_params(pairs: list[str] | None, params_json: str | None) -> dict[str, Any]:
    from silkhub.errors import ValidationError

    params: dict[str, Any] = {}
    if params_json:
        try:
            params = dict(json.loads(params_json))
        except (ValueError, TypeError) as exc:
            raise ValidationError(f"--json: not a JSON object: {exc}", field="json") from None
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ValidationError(f"--param {pair!r}: use KEY=VALUE", field="param")
        try:  # 5, 2.5, true, null, ["a"] are JSON; anything else is a string
            params[key.strip()] = json.loads(value)
        except ValueError:
            params[key.strip()] = value
    return params


@app.command("submit")
def submit_cmd(
    kind: Annotated[
        str,
        typer.Argument(
            help="Job kind: report.region, report.hub, data.import, index.compute, gravity.fit, "
            "event.schedule, hub.duplicates, probe (GET /api/v1/jobs/kinds lists parameters)."
        ),
    ],
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="KEY=VALUE parameter (repeat).")
    ] = None,
    params_json: Annotated[
        str | None, typer.Option("--json", help="Parameters as a JSON object.")
    ] = None,
    wait: Annotated[bool, typer.Option("--wait", "-w", help="Wait for the job to end.")] = False,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="With --wait: write the job's file here.")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only the job id / errors.")] = False,
) -> None:
    """Queue a job and print its id (with --wait: follow its progress and print the result).

    Example: silkhub jobs submit report.region -p unit=Jinan -p peers=Hangzhou --wait -o r.html
    Example: silkhub jobs submit index.compute -p mc_runs=20000 --wait -o index.json
    Example: silkhub jobs submit event.schedule -p event_id=3 -p time_limit_s=60 --wait
    """
    submit_and_follow(kind, _parse_params(param, params_json), wait=wait, out=out, quiet=quiet)


def submit_and_follow(
    kind: str, params: dict[str, Any], *, wait: bool, out: Path | None, quiet: bool
) -> None:
    """Submit as the CLI (system actor), print the id; with ``wait`` follow it to the end."""
    svc = _service()
    v = svc.submit(_actor(), kind, params)
    if not wait and svc.engine.backend == "inline":
        if not quiet:
            err_console.print(
                "no broker configured (SILKHUB_JOBS_BROKER): the job runs in this process, waiting"
            )
        wait = True
    console.print(v.id)
    if wait:
        _finish(wait_for(v.id, quiet=quiet), out, quiet)


@app.command("list")
def list_cmd(
    status: Annotated[str | None, typer.Option(help="queued, running, succeeded ...")] = None,
    kind: Annotated[str | None, typer.Option(help="Only this kind.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many (newest first).")] = 50,
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """List jobs, newest first."""
    items, _next = _service().list(_actor(), status=status, kind=kind, limit=limit)
    emit([_row(v) for v in items], fmt, columns=_COLUMNS, title="jobs", out=out)


@app.command("show")
def show_cmd(
    job_id: Annotated[str, typer.Argument(help="Job id.")],
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """Show a job: status, progress, result or error, files."""
    v = _service().get(_actor(), job_id)
    if fmt is Format.table and out is None:
        for k, x in _full(v).items():
            console.print(f"[bold]{k}[/bold]: {x}", highlight=False)
        return
    emit([_full(v)], fmt, out=out)


@app.command("cancel")
def cancel_cmd(job_id: Annotated[str, typer.Argument(help="Job id.")]) -> None:
    """Cancel a job (a running job stops at its next progress report)."""
    v = _service().cancel(_actor(), job_id)
    console.print(f"{v.id}: {v.status}{' (stop requested)' if v.status == 'running' else ''}")


@app.command("download")
def download_cmd(
    job_id: Annotated[str, typer.Argument(help="Job id.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="File to write.")],
    index: Annotated[int, typer.Option(help="Which file of the job.")] = 0,
) -> None:
    """Write the file a succeeded job produced."""
    name, _media, content = _service().file(_actor(), job_id, index)
    out.write_bytes(content)
    console.print(f"wrote {out} ({len(content):,} bytes) from {name}")


@app.command("wait")
def wait_cmd(
    job_id: Annotated[str, typer.Argument(help="Job id.")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write the file here.")] = None,
) -> None:
    """Follow a job until it ends; exit 1 if it failed or was cancelled."""
    _finish(wait_for(job_id), out, False)


@app.command("worker")
def worker_cmd(
    threads: Annotated[int, typer.Option(help="Jobs run at the same time in this process.")] = 1,
    broker: Annotated[
        str | None, typer.Option(help="Broker URL (default SILKHUB_JOBS_BROKER).")
    ] = None,
    nice: Annotated[
        int,
        typer.Option(
            min=0,
            max=19,
            help="Lower this process's CPU priority by this much, so that API workers on the "
            "same host answer first (19: jobs take only CPU the API leaves; 0: equal).",
        ),
    ] = 19,
    metrics_port: Annotated[
        int | None,
        typer.Option(help="Serve Prometheus metrics (job durations) on this port (127.0.0.1)."),
    ] = None,
) -> None:
    """Run a job worker: consume the jobs queue until SIGTERM/SIGINT (running jobs finish).

    Example: SILKHUB_JOBS_BROKER=amqp://guest:guest@127.0.0.1:5672/ silkhub jobs worker --threads 2
    """
    import logging

    from silkhub.jobs.worker import run_worker

    logging.getLogger("silkhub.jobs").setLevel(logging.INFO)
    if nice > 0:
        import os

        os.nice(nice)
    if metrics_port:
        from silkhub.metrics import start_http_server

        start_http_server(metrics_port)
    rt = runtime()
    run_worker(
        rt,
        threads=threads,
        broker_url=broker,
        on_ready=lambda: err_console.print(f"job worker ready ({threads} thread(s))"),
    )
