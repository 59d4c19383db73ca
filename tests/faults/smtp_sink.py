"""A real SMTP server for the tests that deliver e-mail (aiosmtpd, in a thread of the test process).

It keeps every message it accepted, that is every message whose end-of-data dot it received, with
its Message-ID. Hooks let a test act at an exact point of the protocol: `on_data_command(n)` when
the n-th DATA command arrives (the client has not sent the text yet), `on_message(n, message)`
after the n-th message's dot and before the server answers; `refuse(message)` answers a refusal
after the dot instead of 250."""

import email
import logging
import threading
from dataclasses import dataclass

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP

from tests.celery_helpers import free_port


@dataclass
class Received:
    message_id: str
    recipients: list
    message: email.message.Message


class _Handler:
    def __init__(self, sink: "SmtpSink"):
        self.sink = sink

    async def handle_DATA(self, server, session, envelope):
        parsed = email.message_from_bytes(envelope.original_content or envelope.content)
        received = Received(parsed.get("Message-ID", ""), list(envelope.rcpt_tos), parsed)
        with self.sink.lock:
            self.sink.received.append(received)
            count = len(self.sink.received)
        self.sink.on_message(count, received)
        if self.sink.refuse(received):
            with self.sink.lock:
                self.sink.received.remove(received)
            return "554 5.6.0 Message refused"
        return "250 2.0.0 OK"


class _SMTP(SMTP):
    async def smtp_DATA(self, arg):
        sink = self.event_handler.sink
        with sink.lock:
            sink.data_commands += 1
            count = sink.data_commands
        sink.on_data_command(count)
        await super().smtp_DATA(arg)


class _Controller(Controller):
    def factory(self):
        with self.handler.sink.lock:
            self.handler.sink.connections += 1
        return _SMTP(self.handler, **self.SMTP_kwargs)


class SmtpSink:
    def __init__(self):
        self.port = free_port()
        self.lock = threading.Lock()
        self.received: list[Received] = []
        self.data_commands = 0
        self.connections = 0
        self.on_data_command = lambda count: None
        self.on_message = lambda count, received: None
        self.refuse = lambda received: False
        self._controller = _Controller(_Handler(self), hostname="127.0.0.1", port=self.port)

    def start(self):
        logging.getLogger("mail.log").setLevel(logging.WARNING)  # a line per SMTP command otherwise
        self._controller.start()
        with self.lock:
            self.connections = 0  # the controller's own check that it is up

    def stop(self):
        self._controller.stop()

    @property
    def count(self) -> int:
        with self.lock:
            return len(self.received)

    def message_ids(self) -> list[str]:
        with self.lock:
            return [received.message_id for received in self.received]
