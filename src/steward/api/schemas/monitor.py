"""Drift checks, profiles, monitors and alerts as the API takes and shows them."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class DriftRequest(BaseModel):
    """Paths are read on the server and must lie under its data directory (relative to it)."""

    model_config = ConfigDict(extra="forbid")

    current: str = Field(min_length=1, max_length=1000)
    reference: str | None = Field(default=None, max_length=1000)
    profile: str | None = Field(default=None, max_length=200,
                                description="a stored profile's name or evidence id")
    system_id: int | None = Field(default=None, description="record the result on this system")
    columns: list[str] | None = None
    thresholds: dict[str, float] | None = None


class ColumnDriftOut(BaseModel):
    column: str
    kind: Literal["numeric", "categorical"]
    n_reference: int
    n_current: int
    psi: float | None
    ks_statistic: float | None
    ks_pvalue: float | None
    wasserstein_norm: float | None
    js_distance: float | None
    drifted: bool
    note: str | None = None


class DriftOut(BaseModel):
    columns: list[ColumnDriftOut]
    drift_share: float
    dataset_drift: bool
    drifted_columns: list[str]
    thresholds: dict[str, float]
    ks_exact: bool
    evidence: dict[str, Any] | None = None


class ProfileRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reference: str = Field(min_length=1, max_length=1000)
    system_id: int
    name: str = Field(min_length=1, max_length=120)
    columns: list[str] | None = None
    sample_size: int | None = Field(default=None, ge=100)


class MonitorIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    system_id: int
    name: str = Field(min_length=1, max_length=120)
    profile: str = Field(min_length=1, max_length=200)
    current: str = Field(min_length=1, max_length=1000)
    columns: list[str] | None = None
    thresholds: dict[str, float] | None = None
    every_minutes: int = Field(default=1440, ge=1, le=366 * 1440)
    open_incident: bool = False


class FairnessMonitorIn(BaseModel):
    """A scheduled fairness audit of a decision table under the data directory."""

    model_config = ConfigDict(extra="forbid")

    system_id: int
    name: str = Field(min_length=1, max_length=120)
    source: str = Field(min_length=1, max_length=1000, description="the decision table")
    groups: list[str] = Field(min_length=1, max_length=20)
    decision: str = Field(min_length=1, max_length=200)
    label: str | None = Field(default=None, max_length=200)
    score: str | None = Field(default=None, max_length=200)
    threshold: float | None = None
    intersections: bool = False
    reference: str | None = Field(default=None, max_length=1000)
    min_group_size: int | None = Field(default=None, ge=1)
    every_minutes: int = Field(default=1440, ge=1, le=366 * 1440)
    open_incident: bool = False


class KpiMonitorIn(BaseModel):
    """A scheduled check of a KPI against a floor and/or a ceiling (default: the policy's)."""

    model_config = ConfigDict(extra="forbid")

    system_id: int
    name: str = Field(min_length=1, max_length=120)
    metric: str = Field(min_length=1, max_length=64)
    minimum: float | None = None
    maximum: float | None = None
    window_days: int = Field(default=7, ge=1, le=366)
    campaign: str | None = Field(default=None, max_length=200)
    severity: Literal["warning", "critical"] = "warning"
    every_minutes: int = Field(default=1440, ge=1, le=366 * 1440)
    open_incident: bool = False


class MonitorOut(BaseModel):
    id: int
    system_id: int
    system: str
    name: str
    kind: str
    profile_id: int | None
    current_path: str | None
    columns: list[str]
    thresholds: dict[str, float]
    config: dict[str, Any]
    every_minutes: int
    open_incident: bool
    enabled: bool
    next_run_at: str
    last_run_at: str | None
    last_status: str | None
    last_message: str | None


class AlertOut(BaseModel):
    id: int
    system_id: int | None
    system: str | None
    monitor_id: int | None
    evidence_id: int | None
    kind: str
    severity: str
    message: str
    details: dict[str, Any]
    status: str
    created_at: str
    acknowledged_by: str | None
    acknowledged_at: str | None


class RunOut(BaseModel):
    monitor_id: int
    monitor: str
    kind: str
    system_id: int
    status: str
    message: str
    evidence_id: int | None
    alert_id: int | None
