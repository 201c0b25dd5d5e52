"""Polling partners' own SFTP servers: a periodic job asks which partners are due (their
poll interval passed, no backoff running) and polls each; files taken in go through intake
like any upload. The poller itself is safe to run twice (see gateway/sftp/poller.py)."""

from __future__ import annotations

from gateway.jobs import job
from gateway.partners import ProfileRemoteDirectory
from gateway.runtime import Runtime
from gateway.sftp.poller import poll_due, poll_once


@job("inbound.poll_sftp_partners", queue="intake")
def poll_sftp_partners(runtime: Runtime) -> dict[str, int]:
    taken: dict[str, int] = {}
    for remote in ProfileRemoteDirectory(runtime.profiles).remotes():
        if poll_due(runtime, remote):
            result = poll_once(runtime, remote)
            taken[remote.partner_id] = len(result.taken)
    return taken
