namespace Chaos.Testing;

/// <summary>The DNS proxy of <see cref="DnsChaosPayload"/>: Python 3 standard library only, run with <c>python3 -c</c>.</summary>
internal static class DnsProxyProgram
{
    /// <summary>
    /// Arguments: port, mark, resolv.conf path, <c>fail</c> or <c>address</c>, the IPv4 address (or <c>-</c>), patterns.
    /// Listens on 127.0.0.1:port (UDP and TCP). A standard query with one question whose name matches a pattern is
    /// answered here: NXDOMAIN (<c>fail</c>), or for <c>address</c> an A record with TTL 0 and an empty AAAA answer
    /// (other types go upstream). Everything else is forwarded byte for byte to the first nameserver of the
    /// resolv.conf, from a socket carrying the mark so that the REDIRECT rules let it through.
    /// </summary>
    public const string Text = """
        import fnmatch
        import socket
        import socketserver
        import struct
        import sys
        import threading

        PORT = int(sys.argv[1])
        MARK = int(sys.argv[2])
        RESOLV_CONF = sys.argv[3]
        ACTION = sys.argv[4]
        ADDRESS = socket.inet_aton(sys.argv[5]) if ACTION == "address" else b""
        PATTERNS = [p.lower().rstrip(".") for p in sys.argv[6:]]
        SO_MARK = getattr(socket, "SO_MARK", 36)
        TIMEOUT = 5.0


        def nameserver(path):
            with open(path, encoding="utf-8", errors="replace") as f:
                for line in f:
                    words = line.split()
                    if len(words) >= 2 and words[0] == "nameserver":
                        return words[1].split("%")[0]
            sys.exit("chaos: no nameserver in " + path)


        UPSTREAM = nameserver(RESOLV_CONF)
        FAMILY = socket.AF_INET6 if ":" in UPSTREAM else socket.AF_INET


        def question(msg):
            # (name, type, class, end) of a standard query with exactly one question, else None
            if len(msg) < 12 or msg[2] & 0xF8 or struct.unpack("!H", msg[4:6])[0] != 1:
                return None
            labels, i = [], 12
            while True:
                if i >= len(msg):
                    return None
                n = msg[i]
                i += 1
                if n == 0:
                    break
                if n > 63 or i + n > len(msg):
                    return None
                labels.append(msg[i:i + n].decode("ascii", "replace").lower())
                i += n
            if i + 4 > len(msg):
                return None
            qtype, qclass = struct.unpack("!HH", msg[i:i + 4])
            return ".".join(labels), qtype, qclass, i + 4


        def local_answer(msg):
            q = question(msg)
            if q is None:
                return None
            name, qtype, qclass, end = q
            if not any(fnmatch.fnmatchcase(name, p) for p in PATTERNS):
                return None
            rcode, answer = 0, b""
            if ACTION == "fail":
                rcode = 3
            elif qclass != 1 or qtype not in (1, 28):
                return None
            elif qtype == 1:
                answer = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 0, 4) + ADDRESS
            flags = struct.pack("!BB", 0x80 | (msg[2] & 0x01), 0x80 | rcode)
            return msg[:2] + flags + struct.pack("!HHHH", 1, 1 if answer else 0, 0, 0) + msg[12:end] + answer


        def upstream_socket(kind):
            s = socket.socket(FAMILY, kind)
            s.setsockopt(socket.SOL_SOCKET, SO_MARK, MARK)
            s.settimeout(TIMEOUT)
            s.connect((UPSTREAM, 53))
            return s


        def read_exact(sock, n):
            data = b""
            while len(data) < n:
                chunk = sock.recv(n - len(data))
                if not chunk:
                    raise EOFError()
                data += chunk
            return data


        def forward_udp(server, msg, client):
            try:
                with upstream_socket(socket.SOCK_DGRAM) as s:
                    s.send(msg)
                    server.sendto(s.recv(65535), client)
            except OSError as e:
                print("chaos: upstream %s: %s" % (UPSTREAM, e), file=sys.stderr, flush=True)


        def forward_tcp(msg):
            with upstream_socket(socket.SOCK_STREAM) as s:
                s.sendall(struct.pack("!H", len(msg)) + msg)
                return read_exact(s, struct.unpack("!H", read_exact(s, 2))[0])


        class TcpHandler(socketserver.BaseRequestHandler):
            def handle(self):
                self.request.settimeout(30)
                try:
                    while True:
                        msg = read_exact(self.request, struct.unpack("!H", read_exact(self.request, 2))[0])
                        reply = local_answer(msg) or forward_tcp(msg)
                        self.request.sendall(struct.pack("!H", len(reply)) + reply)
                except (EOFError, OSError):
                    pass


        class TcpServer(socketserver.ThreadingTCPServer):
            allow_reuse_address = True
            daemon_threads = True
            request_queue_size = 128


        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.bind(("127.0.0.1", PORT))
        tcp = TcpServer(("127.0.0.1", PORT), TcpHandler)
        threading.Thread(target=tcp.serve_forever, daemon=True).start()
        print("chaos: dns proxy on 127.0.0.1:%d (udp, tcp), upstream %s, %s for %s" % (PORT, UPSTREAM, ACTION, " ".join(PATTERNS)), file=sys.stderr, flush=True)
        ready()
        while True:
            try:
                msg, client = udp.recvfrom(65535)
                reply = local_answer(msg)
                if reply is None:
                    threading.Thread(target=forward_udp, args=(udp, msg, client), daemon=True).start()
                else:
                    udp.sendto(reply, client)
            except OSError as e:
                print("chaos: dns proxy: %s" % e, file=sys.stderr, flush=True)
        """;
}
