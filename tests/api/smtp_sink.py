"""A small SMTP server on 127.0.0.1 for the tests: it takes every message
and writes it, as received, to a numbered file in a folder. It prints the
port it listens on, then serves until killed.

Usage: python3 smtp_sink.py FOLDER [--refuse]
With --refuse it answers every recipient with a permanent failure, as a
server that will not relay would.
"""
import os
import socketserver
import sys

folder = sys.argv[1]
refuse = "--refuse" in sys.argv[2:]
count = 0


class Session(socketserver.StreamRequestHandler):
    def reply(self, line):
        self.wfile.write((line + "\r\n").encode())

    def handle(self):
        global count
        self.reply("220 sink.test ESMTP")
        while True:
            line = self.rfile.readline()
            if not line:
                return
            verb = line.decode("ascii", "replace").strip().split(" ")[0].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 sink.test")
            elif verb == "MAIL":
                self.reply("250 OK")
            elif verb == "RCPT":
                self.reply("550 no relay here" if refuse else "250 OK")
            elif verb == "DATA":
                self.reply("354 go ahead")
                lines = []
                while True:
                    data = self.rfile.readline()
                    if data in (b".\r\n", b""):
                        break
                    lines.append(data[1:] if data.startswith(b"..") else data)
                count += 1
                # Written beside the folder and renamed into it, so a test
                # watching the folder never sees a message half written.
                final = os.path.join(folder, "%03d.eml" % count)
                part = os.path.join(os.path.dirname(os.path.abspath(folder)),
                                    ".smtp-sink-%d-%03d.part" % (os.getpid(), count))
                with open(part, "wb") as f:
                    f.write(b"".join(lines))
                os.rename(part, final)
                self.reply("250 queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            elif verb in ("RSET", "NOOP"):
                self.reply("250 OK")
            else:
                self.reply("502 not here")


server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Session)
print(server.server_address[1], flush=True)
server.serve_forever()
