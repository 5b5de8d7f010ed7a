"""The tables of a level file that say what its requests carry and how their clients behave:
[retries] (clients retry failures), [jobs] (slow work) and [sessions] (users who sign in)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from game.content.errors import number
from game.content.schema.fields import FieldProblems, FileModel, Finite, engine_default
from game.engine import catalog
from game.engine.scenario import Retries, Sessions


class RetriesTable(FileModel):
    """How the level's clients retry a failed or timed-out request (omitted: they do not)."""

    policy: Literal[catalog.RETRY_POLICIES] = engine_default(Retries, "policy")  # type: ignore[valid-type]
    attempts: Annotated[int, Field(ge=1, le=catalog.MAX_RETRY_ATTEMPTS)] = engine_default(
        Retries, "attempts"
    )
    base_s: Annotated[Finite, Field(gt=0, le=catalog.MAX_RETRY_CAP_S)] = engine_default(
        Retries, "base_s"
    )
    cap_s: Annotated[Finite, Field(gt=0, le=catalog.MAX_RETRY_CAP_S)] = engine_default(
        Retries, "cap_s"
    )
    jitter: bool = engine_default(Retries, "jitter")
    budget: Annotated[Finite, Field(ge=0, le=1)] = Field(
        engine_default(Retries, "budget"),
        description="retries at most this share of first attempts; 0: no budget",
    )
    server_timeout_s: Annotated[Finite, Field(gt=0, le=catalog.MAX_TIMEOUT_S)] = engine_default(
        Retries, "server_timeout_s"
    )

    @model_validator(mode="after")
    def _base_within_cap(self) -> RetriesTable:
        if self.base_s > self.cap_s:
            raise FieldProblems(
                [
                    (
                        ("base_s",),
                        f"backoff base {number(self.base_s)} s is longer than its cap"
                        f" {number(self.cap_s)} s",
                        "make the base at most the cap",
                    )
                ]
            )
        return self


class JobsTable(FileModel):
    """Slow work some requests carry: done inside the request, or queued for workers."""

    share: Annotated[Finite, Field(gt=0, le=1)] = Field(
        description="share of the requests the web tier serves that bring a job"
    )
    job_s: Annotated[Finite, Field(gt=0, le=catalog.MAX_JOB_S)] = Field(
        description="seconds one job keeps a size-S server busy"
    )


class SessionsTable(FileModel):
    """Users who sign in: their sessions live in the web servers' memory, or a session store."""

    share: Annotated[Finite, Field(gt=0, le=1)] = Field(
        description="share of the requests reaching the web tier that need a signed-in user"
    )
    relogin_s: Annotated[Finite, Field(gt=0, le=catalog.MAX_RELOGIN_S)] = engine_default(
        Sessions, "relogin_s"
    )
