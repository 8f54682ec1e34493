"""``python -m tests.realapp.serve PORT``: runserver for the real app, on 127.0.0.1.

The one change to ``runserver --noreload``: its sockets send without waiting (TCP_NODELAY).
runserver writes a response's headers and body in two sends; with Nagle's algorithm on,
the second waits for the client's delayed ACK, about 40 ms a request, which turns a
fuzzing run of a few seconds into a minute.
"""

import socketserver
import sys

from django.core.management import execute_from_command_line


def main() -> None:
    socketserver.StreamRequestHandler.disable_nagle_algorithm = True
    execute_from_command_line(["django", "runserver", f"127.0.0.1:{sys.argv[1]}", "--noreload"])


if __name__ == "__main__":
    main()
