using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace Chaos.Testing.Emulator.Tests.Runtime.Network;

/// <summary>Runs programs on the host or inside a pod's network namespace (<c>ip netns exec</c>), for the pod network tests.</summary>
internal static class NetnsTools
{
    /// <summary>
    /// A tiny HTTP server: answers every GET with its name and the caller's address, and prints <c>ready</c> once it
    /// listens, so a test waits for exactly that instead of sleeping.
    /// </summary>
    private const string HttpServer = """
        import http.server, sys
        name, port = sys.argv[1], int(sys.argv[2])
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = (name + " " + self.client_address[0]).encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            def log_message(self, *args):
                pass
        server = http.server.ThreadingHTTPServer(("0.0.0.0", port), Handler)
        print("ready", flush=True)
        server.serve_forever()
        """;

    private static readonly Lazy<string> Python = new(() => Run(null, "python3", "-c", "import sys; print(sys.executable)").Output.Trim());

    /// <summary>Runs a program (inside <paramref name="netns"/> when given) to its end and returns its exit code and output (stdout, then stderr).</summary>
    public static (int Exit, string Output) Run(string? netns, string program, params string[] args)
    {
        using var process = Process.Start(Start(netns, program, args))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', args)} in {netns ?? "the host"} ran over 30 s");
        }

        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>Runs a program and fails the test when it exits non-zero; returns its output.</summary>
    public static string Must(string? netns, string program, params string[] args)
    {
        var (exit, output) = Run(netns, program, args);
        exit.Should().Be(0, $"'{program} {string.Join(' ', args)}' in {netns ?? "the host"} succeeds, but printed:\n{output}");
        return output;
    }

    /// <summary>An HTTP GET with curl from <paramref name="netns"/> (null: the host): exit code and body.</summary>
    public static (int Exit, string Body) Curl(string? netns, string url, double seconds = 10) =>
        Run(netns, "curl", "-sS", "--max-time", seconds.ToString(CultureInfo.InvariantCulture), url);

    /// <summary>Starts the HTTP server in <paramref name="netns"/> on <paramref name="port"/> and waits (up to 20 s) until it listens.</summary>
    public static async Task<Process> StartServerAsync(string netns, string name, int port)
    {
        var process = Process.Start(Start(netns, Python.Value, ["-c", HttpServer, name, port.ToString(CultureInfo.InvariantCulture)]))!;
        var line = process.StandardOutput.ReadLineAsync();
        if (await Task.WhenAny(line, Task.Delay(TimeSpan.FromSeconds(20))) != line || line.Result != "ready")
        {
            process.Kill(entireProcessTree: true);
            var error = await process.StandardError.ReadToEndAsync();
            process.Dispose();
            throw new InvalidOperationException($"the HTTP server {name} in {netns} did not get ready: {error}");
        }

        return process;
    }

    /// <summary>Stops a server started by <see cref="StartServerAsync"/>.</summary>
    public static void Stop(Process? server)
    {
        if (server is null)
        {
            return;
        }

        if (!server.HasExited)
        {
            server.Kill(entireProcessTree: true);
            server.WaitForExit();
        }

        server.Dispose();
    }

    /// <summary>Connects from the test process; returns the socket error, or <see cref="SocketError.Success"/>, and how long it took.</summary>
    public static async Task<(SocketError Error, TimeSpan Took)> ConnectAsync(string host, int port, TimeSpan limit)
    {
        var watch = Stopwatch.StartNew();
        using var client = new TcpClient();
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await client.ConnectAsync(host, port, timeout.Token);
            return (SocketError.Success, watch.Elapsed);
        }
        catch (SocketException ex)
        {
            return (ex.SocketErrorCode, watch.Elapsed);
        }
        catch (OperationCanceledException)
        {
            return (SocketError.TimedOut, watch.Elapsed);
        }
    }

    private static ProcessStartInfo Start(string? netns, string program, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(netns is null ? program : "ip")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in netns is null ? args : new[] { "netns", "exec", netns, program }.Concat(args))
        {
            start.ArgumentList.Add(arg);
        }

        return start;
    }
}
