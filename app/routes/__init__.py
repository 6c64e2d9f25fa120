"""HTTP and WebSocket routes: thin, they validate and delegate."""
