using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Chaos.Testing.K3s.Tests;

public sealed class DockerProbeTests
{
    private const string Tail = " (checked DOCKER_HOST / unix:///var/run/docker.sock); K3s needs a Docker engine — run on a machine with Docker or use the emulator (CHAOS_CLUSTER=emulator)";

    [Fact]
    public void Missing_default_socket_gives_the_full_reason()
    {
        var socket = Path.Combine(Path.GetTempPath(), $"no-docker-{Guid.NewGuid():N}.sock");

        DockerProbe.WhyUnreachable(dockerHost: null, socket).Should().Be(
            $"Docker is not reachable: the socket {socket} does not exist and DOCKER_HOST is not set{Tail}");
    }

    [Fact]
    public void Missing_socket_from_DOCKER_HOST_names_the_variable()
    {
        DockerProbe.WhyUnreachable("unix:///nonexistent/docker.sock", "/ignored.sock").Should().Be(
            $"Docker is not reachable: the socket /nonexistent/docker.sock does not exist (DOCKER_HOST=unix:///nonexistent/docker.sock){Tail}");
    }

    [Fact]
    public void Unknown_DOCKER_HOST_scheme_is_explained()
    {
        DockerProbe.WhyUnreachable("ssh://me@host", "/ignored.sock").Should().StartWith(
            "Docker is not reachable: DOCKER_HOST=\"ssh://me@host\" is not a unix://, tcp:// or npipe:// address");
    }

    [Fact]
    public void Closed_tcp_port_fails_fast()
    {
        var clock = Stopwatch.StartNew();

        var why = DockerProbe.WhyUnreachable("tcp://127.0.0.1:1", "/ignored.sock");

        why.Should().StartWith("Docker is not reachable: DOCKER_HOST=tcp://127.0.0.1:1 did not answer GET /_ping");
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(3));
    }

    [Fact]
    public void Socket_that_exists_but_does_not_answer_times_out_after_2_seconds()
    {
        var path = Path.Combine(Path.GetTempPath(), $"mute-{Guid.NewGuid():N}.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen();
        try
        {
            var clock = Stopwatch.StartNew();

            DockerProbe.WhyUnreachable(null, path).Should().StartWith($"Docker is not reachable: the socket {path} did not answer GET /_ping within 2s");
            clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(4));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Socket_that_answers_ping_is_reachable()
    {
        var path = Path.Combine(Path.GetTempPath(), $"fake-docker-{Guid.NewGuid():N}.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen();
        var server = Task.Run(async () =>
        {
            using var connection = await listener.AcceptAsync();
            var buffer = new byte[4096];
            var request = new StringBuilder();
            while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var read = await connection.ReceiveAsync(buffer);
                if (read == 0)
                {
                    break;
                }

                request.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }

            await connection.SendAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nOK"));
            return request.ToString();
        });
        try
        {
            DockerProbe.WhyUnreachable(null, path).Should().BeNull();
            (await server).Should().StartWith("GET /_ping HTTP/1.1");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
