"""The base of every wire model: camelCase on the wire, snake_case in Python."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel


class WireModel(BaseModel):
    """A protocol message or record.

    Unknown fields are ignored (older servers must read newer clients' messages);
    `_meta` is the extension point, as in the Agent Client Protocol.
    """

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="ignore",
        use_attribute_docstrings=False,
        # Validators are built on a model's first use, not at import: a command that
        # touches three models should not pay for the hundred (start-up, issue 13).
        defer_build=True,
    )

    meta: dict[str, Any] | None = Field(
        default=None, alias="_meta", description="Extension data; ignored by Tether."
    )

    def to_wire(self) -> dict[str, Any]:
        """The JSON-ready dict as it goes over the wire or into history."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)
