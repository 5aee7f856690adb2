"""`xero-expense-bot demo`: the real bot on the embedded Slack fake and Xero emulator, with a page that plays Slack."""
