using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Chaos.Testing.Tests.Payloads.DnsHttp;

/// <summary>What <c>dig</c> saw: the response code (<c>NO-REPLY</c> when none came), the A addresses, and how long it took.</summary>
public sealed record DigResult(string Status, IReadOnlyList<string> Addresses, TimeSpan Elapsed)
{
    public override string ToString() => $"{Status} [{string.Join(", ", Addresses)}] in {Elapsed.TotalMilliseconds:0}ms";
}

/// <summary>An authoritative stub DNS server for the peer namespace, and <c>dig</c> from the pod namespace.</summary>
public static partial class DnsTestTools
{
    /// <summary>
    /// Arguments: the address to listen on (UDP and TCP port 53), then <c>name=ipv4</c> records. Known names get their
    /// A record (TTL 0) and an empty AAAA answer, unknown names NXDOMAIN. Prints <c>query &lt;name&gt; &lt;type&gt;</c> for each query.
    /// </summary>
    public const string StubServer = """
        import socket, socketserver, struct, sys, threading
        RECORDS = dict(a.split('=', 1) for a in sys.argv[2:])

        def reply(msg):
            i, labels = 12, []
            while msg[i]:
                labels.append(msg[i + 1:i + 1 + msg[i]].decode().lower())
                i += 1 + msg[i]
            qtype = struct.unpack('!H', msg[i + 1:i + 3])[0]
            end, name = i + 5, '.'.join(labels)
            print('query %s %d' % (name, qtype), flush=True)
            ip = RECORDS.get(name)
            answer = b'\xc0\x0c' + struct.pack('!HHIH', 1, 1, 0, 4) + socket.inet_aton(ip) if ip and qtype == 1 else b''
            flags = struct.pack('!BB', 0x84 | (msg[2] & 1), 0x80 | (0 if ip else 3))
            return msg[:2] + flags + struct.pack('!HHHH', 1, 1 if answer else 0, 0, 0) + msg[12:end] + answer

        class Tcp(socketserver.BaseRequestHandler):
            def handle(self):
                size = struct.unpack('!H', self.request.recv(2))[0]
                msg = b''
                while len(msg) < size:
                    msg += self.request.recv(size - len(msg))
                out = reply(msg)
                self.request.sendall(struct.pack('!H', len(out)) + out)

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        tcp = socketserver.ThreadingTCPServer((sys.argv[1], 53), Tcp)
        threading.Thread(target=tcp.serve_forever, daemon=True).start()
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.bind((sys.argv[1], 53))
        print('ready', flush=True)
        while True:
            msg, client = udp.recvfrom(4096)
            udp.sendto(reply(msg), client)
        """;

    /// <summary>Asks <paramref name="server"/> for <paramref name="name"/> from inside <paramref name="ns"/>: one try, one second.</summary>
    public static async Task<DigResult> DigAsync(string ns, string server, string name, string type = "A", bool tcp = false)
    {
        var watch = Stopwatch.StartNew();
        var (_, output) = await NetnsProgram.RunAsync(ns, "dig", $"@{server}", name, type, "+tries=1", "+time=1", "+noall", "+comments", "+answer", tcp ? "+tcp" : "+notcp");
        watch.Stop();
        var status = StatusPattern().Match(output);
        var addresses = AddressPattern().Matches(output).Select(m => m.Groups[1].Value).ToList();
        return new DigResult(status.Success ? status.Groups[1].Value : "NO-REPLY", addresses, watch.Elapsed);
    }

    /// <summary>
    /// Resolves <paramref name="name"/> (IPv4) from inside <paramref name="ns"/> as an application does, with glibc's
    /// getaddrinfo and the namespace's /etc/resolv.conf (<c>ip netns exec</c> mounts /etc/netns/&lt;ns&gt;/resolv.conf there).
    /// </summary>
    public static async Task<(string Result, double Milliseconds)> GetAddrInfoAsync(string ns, string name)
    {
        const string Program = """
            import socket, sys, time
            start = time.monotonic()
            try:
                result = socket.getaddrinfo(sys.argv[1], None, socket.AF_INET)[0][4][0]
            except OSError as e:
                result = "error: %s" % e
            print("%.1f %s" % ((time.monotonic() - start) * 1000, result))
            """;
        var (_, output) = await NetnsProgram.RunAsync(ns, TestPython.Executable, "-c", Program, name);
        var fields = output.Trim().Split(' ', 2);
        return (fields[1], double.Parse(fields[0], System.Globalization.CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"status: ([A-Z]+)")]
    private static partial Regex StatusPattern();

    [GeneratedRegex(@"\sIN\s+A\s+(\d+\.\d+\.\d+\.\d+)")]
    private static partial Regex AddressPattern();
}
