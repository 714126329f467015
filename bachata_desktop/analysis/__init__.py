"""Models: audio (librosa), pose (YOLO), text (MiniLM), llm (Gemini). Qt-free."""
