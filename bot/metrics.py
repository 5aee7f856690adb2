"""Prometheus metrics, on a registry per app instance so several apps can live in one process."""

from __future__ import annotations

from dataclasses import dataclass, field

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


@dataclass
class Metrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)
        self.http_requests = Counter(
            "xero_bot_http_requests", "HTTP requests served", ["route", "status"], registry=self.registry
        )
        self.http_latency = Histogram(
            "xero_bot_http_request_seconds", "HTTP request latency", ["route"], registry=self.registry
        )
        self.slack_errors = Counter(
            "xero_bot_slack_listener_errors", "Slack listener errors by kind", ["kind"], registry=self.registry
        )
        self.job_runs = Counter(
            "xero_bot_job_runs", "Background job runs by outcome", ["job", "outcome"], registry=self.registry
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)
