"""Running the bot in production: the update inbox and its workers, long polling by one process
at a time or a webhook on every process, health and metrics, start-up checks and clean shutdown."""
