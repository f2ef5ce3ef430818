"""The one exception type of the client."""


class VectoryError(Exception):
    """Every client error: bad input (found before anything is sent), a server or broker that is down or
    refuses, a checkpoint the pipeline rejected, a verdict that did not come in time.

    ``reason`` is the message; ``status`` the HTTP status when a server answered; ``checkpoint`` the
    ``experiment/space@step`` concerned, when known.
    """

    def __init__(self, reason, *, status=None, checkpoint=None):
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.checkpoint = checkpoint
