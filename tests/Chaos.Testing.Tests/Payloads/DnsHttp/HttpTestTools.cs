using System.Globalization;

namespace Chaos.Testing.Tests.Payloads.DnsHttp;

/// <summary>One request as the client saw it: its status (0 when the connection failed) and its duration.</summary>
public sealed record HttpResult(string Method, string Path, int Status, double Milliseconds);

/// <summary>An HTTP server for the pod namespace and a client that measures each request.</summary>
public static class HttpTestTools
{
    /// <summary>Argument: the port. Answers every GET, POST, PUT, DELETE and HEAD with 200 <c>ok METHOD PATH</c> at once.</summary>
    public const string Server = """
        import http.server, sys

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'

            def respond(self):
                size = int(self.headers.get('Content-Length') or 0)
                if size:
                    self.rfile.read(size)
                body = ('ok %s %s\n' % (self.command, self.path)).encode()
                self.send_response(200)
                self.send_header('Content-Length', str(len(body)))
                self.end_headers()
                if self.command != 'HEAD':
                    self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = respond

            def log_message(self, *args):
                pass

        server = http.server.ThreadingHTTPServer(('0.0.0.0', int(sys.argv[1])), Handler)
        print('ready', flush=True)
        server.serve_forever()
        """;

    /// <summary>
    /// Arguments: host, port, rounds, then method/path pairs. Sends the pairs in order, rounds times, each on a new
    /// connection (a POST carries a small body), and prints <c>METHOD PATH STATUS MILLISECONDS</c> per request.
    /// </summary>
    public const string Client = """
        import http.client, sys, time
        host, port, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
        pairs = list(zip(sys.argv[4::2], sys.argv[5::2]))
        for _ in range(rounds):
            for method, path in pairs:
                start = time.monotonic()
                try:
                    connection = http.client.HTTPConnection(host, port, timeout=10)
                    connection.request(method, path, body=b'{"n": 1}' if method == 'POST' else None)
                    response = connection.getresponse()
                    response.read()
                    status = response.status
                    connection.close()
                except OSError:
                    status = 0
                print(method, path, status, '%.1f' % ((time.monotonic() - start) * 1000), flush=True)
        """;

    /// <summary>
    /// Sends raw bytes (hex) to host:port from inside <paramref name="ns"/>, reads until the server closes (10 s at
    /// most) and returns the answer and how long it took.
    /// </summary>
    public static async Task<(string Answer, double Milliseconds)> RawAsync(string ns, string host, int port, byte[] request)
    {
        const string Program = """
            import socket, sys, time
            start = time.monotonic()
            data = b""
            try:
                with socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=10) as s:
                    s.sendall(bytes.fromhex(sys.argv[3]))
                    while True:
                        chunk = s.recv(65536)
                        if not chunk:
                            break
                        data += chunk
            except OSError:
                pass
            print("%.1f" % ((time.monotonic() - start) * 1000))
            print(data.decode("latin-1"), end="")
            """;
        var (_, output) = await NetnsProgram.RunAsync(ns, TestPython.Executable, "-c", Program, host, port.ToString(CultureInfo.InvariantCulture), Convert.ToHexString(request));
        var fields = output.Split('\n', 2);
        return (fields[1], double.Parse(fields[0], CultureInfo.InvariantCulture));
    }

    /// <summary>Runs <see cref="Client"/> in <paramref name="ns"/> against host:port.</summary>
    public static async Task<IReadOnlyList<HttpResult>> RequestAsync(string ns, string host, int port, int rounds, params (string Method, string Path)[] requests)
    {
        string[] args = ["-c", Client, host, port.ToString(CultureInfo.InvariantCulture), rounds.ToString(CultureInfo.InvariantCulture), .. requests.SelectMany(r => new[] { r.Method, r.Path })];
        var (exitCode, output) = await NetnsProgram.RunAsync(ns, TestPython.Executable, args);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"the HTTP client failed ({exitCode}):\n{output}");
        }

        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' '))
            .Select(f => new HttpResult(f[0], f[1], int.Parse(f[2], CultureInfo.InvariantCulture), double.Parse(f[3], CultureInfo.InvariantCulture)))
            .ToList();
    }

    public static double Median(this IEnumerable<HttpResult> results)
    {
        var sorted = results.Select(r => r.Milliseconds).Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
