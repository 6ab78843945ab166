"""A loopback TCP proxy that can cut a connection after the server has
committed but before its reply reaches the client: a lost reply, for real."""

from __future__ import annotations

import contextlib
import socket
import threading


class CuttingProxy:
    """Forwards 127.0.0.1:<port> to the server. While `cut_replies` is above
    zero, each reply is swallowed and the client's connection closed as soon
    as the server starts answering (by then the server has done the work)."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.cut_replies = 0
        self.cut_count = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._closed = False
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self._closed = True
        self._listener.close()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.target_port))
            threading.Thread(target=self._pump, args=(client, server, False), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, True), daemon=True).start()

    def _take_cut(self) -> bool:
        with self._lock:
            if self.cut_replies > 0:
                self.cut_replies -= 1
                self.cut_count += 1
                return True
            return False

    def _pump(self, source: socket.socket, sink: socket.socket, is_reply: bool) -> None:
        try:
            while data := source.recv(65536):
                if is_reply and self._take_cut():
                    break  # the reply is lost: close both ends without forwarding
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
                end.close()
