"""nnplay's application layer: the `nnplay` command line, and (next) the FastAPI server and its
WebSocket stream. It imports `engine`; `engine` never imports it."""
