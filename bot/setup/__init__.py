"""Setting a deployment up: `init` writes `.env`, `manifest` prints the Slack app, `rotate-key` re-encrypts."""
