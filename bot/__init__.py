"""Delivery: the Flask app, the WeChat callback, dialogue state, pushes, the scheduler and the CLI."""
