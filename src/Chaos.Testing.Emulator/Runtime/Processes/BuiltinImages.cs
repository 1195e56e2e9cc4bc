namespace Chaos.Testing.Emulator.Runtime.Processes;

/// <summary>The images the process runtime knows without a mapping, and what they run.</summary>
internal static class BuiltinImages
{
    /// <summary>
    /// Shell and distribution images by repository name (any registry or organisation): their default entrypoint and
    /// args as the real images have them. A command runs with this machine's tools.
    /// </summary>
    internal static readonly IReadOnlyDictionary<string, (IReadOnlyList<string> Entrypoint, IReadOnlyList<string> Args)> Shells =
        new Dictionary<string, (IReadOnlyList<string>, IReadOnlyList<string>)>(StringComparer.Ordinal)
        {
            // Without a terminal these shells read an empty stdin and exit at once, as the real images do.
            ["busybox"] = ([], ["sh"]),
            ["alpine"] = ([], ["/bin/sh"]),
            ["debian"] = ([], ["bash"]),
            ["ubuntu"] = ([], ["bash"]),
            ["bash"] = ([], ["bash"]),
            ["curl"] = (["curl"], []),
            // netshoot's default is zsh; bash is what this machine is sure to have, and it exits alike.
            ["netshoot"] = ([], ["bash"]),
            ["stress-ng"] = (["stress-ng"], ["--help"]),
        };

    /// <summary>
    /// The pause program: sleeps until SIGTERM or SIGINT, then exits 0, like the real pause. The trap kills the
    /// background sleep itself, so none is left even where the process is not PID 1 of its own PID namespace.
    /// </summary>
    internal static IReadOnlyList<string> Pause { get; } =
        ["/bin/sh", "-c", "trap 'kill $! 2>/dev/null; exit 0' TERM INT; while :; do sleep 3600 & wait $!; done"];

    /// <summary>
    /// The <c>chaos-testing/echo</c> (and <c>hashicorp/http-echo</c>) HTTP server: listens on <c>PORT</c> (8080) or
    /// <c>-listen=:port</c>, answers <c>GET /healthz</c> with
    /// <c>ok</c> and any other path with <c>ECHO_TEXT</c> or <c>-text=</c> (<c>hello</c>), logs each request line to stdout, exits 0 on SIGTERM.
    /// </summary>
    internal static IReadOnlyList<string> Echo => [HostTools.Find("python3") ?? "python3", "-u", "-c", EchoServer];

    private const string EchoServer = """
        import http.server, os, signal, sys
        # hashicorp/http-echo's flags (-text=..., -listen=:5678) win over the environment.
        flags = dict(a.lstrip("-").split("=", 1) for a in sys.argv[1:] if a.startswith("-") and "=" in a)
        text = flags.get("text", os.environ.get("ECHO_TEXT", "hello"))
        port = int(flags.get("listen", ":" + os.environ.get("PORT", "8080")).rsplit(":", 1)[1])

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                body = (("ok" if self.path == "/healthz" else text) + "\n").encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_request(self, code="-", size="-"):
                print(f"{self.requestline} {code}", flush=True)

        def stop(*_):
            sys.exit(0)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        server = http.server.ThreadingHTTPServer(("", port), Handler)
        server.daemon_threads = True
        print(f"listening on :{port}", flush=True)
        server.serve_forever()
        """;
}
