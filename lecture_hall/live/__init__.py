"""The live room: WebSocket presence, a truthful viewer count, attendance spans and summaries."""
