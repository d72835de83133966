#!/usr/bin/env python3
"""A real SMTP server for the tests and the benchmark: aiosmtpd on 127.0.0.1:PORT. Each message it
accepts is parsed with Python's email package and appended to FILE as one JSON line (envelope,
To, Subject, Message-ID, text and HTML bodies). With --count-only it appends only the Message-ID
(the benchmark, where parsing would be the bottleneck).

usage: smtp_sink.py PORT FILE [--count-only]
"""
import email
import json
import sys
import threading
from email import policy

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, path, count_only):
        self.path = path
        self.count_only = count_only
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        if self.count_only:
            record = {"message_id": str(message["Message-ID"])}
        else:
            text = message.get_body(preferencelist=("plain",))
            html = message.get_body(preferencelist=("html",))
            record = {
                "mail_from": envelope.mail_from,
                "rcpt_tos": envelope.rcpt_tos,
                "from": str(message["From"]),
                "to": str(message["To"]),
                "subject": str(message["Subject"]),
                "message_id": str(message["Message-ID"]),
                "text": text.get_content() if text is not None else None,
                "html": html.get_content() if html is not None else None,
            }
        with self.lock, open(self.path, "a", encoding="utf-8") as out:
            out.write(json.dumps(record) + "\n")
        return "250 Message accepted for delivery"


def main():
    port, path = int(sys.argv[1]), sys.argv[2]
    controller = Controller(Sink(path, "--count-only" in sys.argv), hostname="127.0.0.1", port=port)
    controller.start()
    print(f"smtp sink listening on 127.0.0.1:{port}", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
