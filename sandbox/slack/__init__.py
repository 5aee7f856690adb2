"""A local Slack for tests and demos: FakeSlack serves the Web API, SlackSender plays Slack towards the bot."""

from sandbox.slack.fake import FakeSlack
from sandbox.slack.issued import ApiCall
from sandbox.slack.sender import SenderResponse, SlackSender

__all__ = ["ApiCall", "FakeSlack", "SenderResponse", "SlackSender"]
