namespace Chaos.Testing;

/// <summary>The HTTP proxy of <see cref="HttpChaosPayload"/>: Python 3 standard library only, run with <c>python3 -c</c>.</summary>
internal static class HttpProxyProgram
{
    /// <summary>
    /// Arguments: listen port, container port, percent, delay in ms, abort status (0: none), path prefix, method and
    /// seed (each empty when unset). One thread per connection: it reads the request head, draws, sleeps the delay,
    /// then answers the abort status itself or forwards the request to 127.0.0.1:port with <c>Connection: close</c>
    /// (so every request on a connection is judged: the client opens a new connection for the next one) and pipes
    /// both ways. Upgrade requests (WebSocket) pass untouched after their head is judged; anything that does not start
    /// like an HTTP/1.x request (TLS, the HTTP/2 preface) passes untouched and unjudged, at once.
    /// </summary>
    public const string Text = """
        import http
        import random
        import re
        import socket
        import socketserver
        import sys
        import threading
        import time

        LISTEN = int(sys.argv[1])
        TARGET = int(sys.argv[2])
        PERCENT = float(sys.argv[3])
        DELAY = int(sys.argv[4]) / 1000.0
        STATUS = int(sys.argv[5])
        PREFIX = sys.argv[6]
        METHOD = sys.argv[7]
        RANDOM = random.Random(int(sys.argv[8])) if sys.argv[8] else random.Random()
        LOCK = threading.Lock()
        MAX_HEAD = 65536
        HOP_BY_HOP = (b"connection", b"keep-alive", b"proxy-connection")
        METHOD_START = re.compile(rb"[A-Z-]{1,20}( |$)")


        def selected(method, path):
            if (METHOD and method != METHOD) or not path.startswith(PREFIX):
                return False
            with LOCK:
                return RANDOM.random() * 100 < PERCENT


        def read_head(sock):
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = sock.recv(65536) if len(data) <= MAX_HEAD else b""
                if not chunk:
                    return None, data
                data += chunk
                if not METHOD_START.match(data):
                    return None, data
            head, _, rest = data.partition(b"\r\n\r\n")
            return head, rest


        def rewrite(head):
            lines = head.split(b"\r\n")
            names = [line.split(b":", 1)[0].strip().lower() for line in lines[1:]]
            if b"upgrade" in names:
                return head
            kept = [line for line, name in zip(lines[1:], names) if name not in HOP_BY_HOP]
            return b"\r\n".join([lines[0]] + kept + [b"Connection: close"])


        def abort(sock, method):
            try:
                reason = http.HTTPStatus(STATUS).phrase
            except ValueError:
                reason = "Chaos"
            body = b"chaos: injected %d\n" % STATUS
            head = "HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % (STATUS, reason, len(body))
            sock.sendall(head.encode("latin-1") + (b"" if method == "HEAD" else body))
            sock.shutdown(socket.SHUT_WR)
            # Read what the client still sends (a request body): closing with unread data would reset the connection.
            deadline = time.monotonic() + 2
            sock.settimeout(0.5)
            while time.monotonic() < deadline and sock.recv(65536):
                pass


        def pump(source, sink):
            try:
                while True:
                    data = source.recv(65536)
                    if not data:
                        break
                    sink.sendall(data)
            except OSError:
                pass
            try:
                sink.shutdown(socket.SHUT_WR)
            except OSError:
                pass


        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                client = self.request
                try:
                    client.settimeout(60)
                    head, rest = read_head(client)
                    if head is None and not rest:
                        return
                    data = rest
                    if head is not None:
                        words = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ")
                        method, target = (words[0], words[1]) if len(words) == 3 and words[2].startswith("HTTP/1.") else ("", "")
                        path = "/" + target.split("://", 1)[1].partition("/")[2] if "://" in target else target
                        if method and selected(method, path):
                            if DELAY:
                                time.sleep(DELAY)
                            if STATUS:
                                abort(client, method)
                                return
                        data = (rewrite(head) if method else head) + b"\r\n\r\n" + rest
                    client.settimeout(None)
                    with socket.create_connection(("127.0.0.1", TARGET), timeout=10) as upstream:
                        upstream.settimeout(None)
                        upstream.sendall(data)
                        back = threading.Thread(target=pump, args=(upstream, client), daemon=True)
                        back.start()
                        pump(client, upstream)
                        back.join()
                except OSError:
                    pass


        class Server(socketserver.ThreadingTCPServer):
            allow_reuse_address = True
            daemon_threads = True
            request_queue_size = 128


        server = Server(("0.0.0.0", LISTEN), Handler)
        print("chaos: http proxy on :%d for 127.0.0.1:%d, %s%% of %s %s*, delay %dms, abort %s" % (LISTEN, TARGET, PERCENT, METHOD or "any method", PREFIX, DELAY * 1000, STATUS or "no"), file=sys.stderr, flush=True)
        ready()
        server.serve_forever()
        """;
}
