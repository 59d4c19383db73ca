"""A TCP proxy between an app process and the shared PostgreSQL, so a test can "stop the
database" without touching the real one: `stop()` cuts every connection and refuses new ones (the
port closes, as a stopped server's does), `start()` forwards again on the same port."""

import contextlib
import socket
import threading

from tests.celery_helpers import free_port


class TcpProxy:
    def __init__(self, target_host: str, target_port: int):
        self.target = (target_host, target_port)
        self.port = free_port()
        self.lock = threading.Lock()
        self.links: set[tuple[socket.socket, socket.socket]] = set()
        self.listener = None
        self.forwarded = self.cut = 0

    def start(self):
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(128)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def stop(self):
        """The database "stops": connections reset, the port refuses."""
        listener, self.listener = self.listener, None
        with contextlib.suppress(OSError):
            listener.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
        listener.close()
        with self.lock:
            links, self.links = self.links, set()
            self.cut += len(links)
        for link in links:
            self._close(link)

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # stopped
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            link = (client, upstream)
            with self.lock:
                if self.listener is not listener:  # stopped meanwhile
                    self._close(link)
                    return
                self.links.add(link)
                self.forwarded += 1
            for source, target in (link, link[::-1]):
                threading.Thread(target=self._pump, args=(source, target, link), daemon=True).start()

    def _pump(self, source, target, link):
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        with self.lock:
            self.links.discard(link)
        self._close(link)

    @staticmethod
    def _close(link):
        for sock in link:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)  # wakes the pump blocked in recv() on it
            sock.close()
