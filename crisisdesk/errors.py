"""Domain errors that services and models raise; the API and pages turn them into answers."""


class DomainError(Exception):
    """An action not allowed in the current state of an object (answers 409)."""

    default_message = "This action is not allowed in the current state."

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)
