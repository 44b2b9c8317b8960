"""Users and tokens as the API shows them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class UserOut(BaseModel):
    id: int
    username: str
    display_name: str
    email: str | None
    roles: list[str]
    is_active: bool
    is_external: bool
    expires_at: datetime | None
    created_at: datetime


class UserIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=2, max_length=64)
    roles: list[str] = Field(min_length=1)
    password: str | None = Field(default=None, min_length=8, max_length=1024)
    display_name: str = Field(default="", max_length=200)
    email: str | None = Field(default=None, max_length=320)
    external: bool = False
    expires_at: datetime | None = None


class TokenOut(BaseModel):
    id: int
    username: str
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    status: str


class TokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str | None = Field(default=None, description="defaults to the caller")
    name: str = Field(default="", max_length=100)
    days: int | None = Field(default=None, ge=1, le=3650)


class NewToken(TokenOut):
    token: str = Field(description="the secret: shown once, store it now")
