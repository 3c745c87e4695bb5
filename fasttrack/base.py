from pydantic import BaseModel, ConfigDict


class StrictModel(BaseModel):
    """Unknown fields are an error: a typo in an event must not pass silently."""

    model_config = ConfigDict(extra="forbid")
