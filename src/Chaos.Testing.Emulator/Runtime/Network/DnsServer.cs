using System.Net;
using System.Net.Sockets;

namespace Chaos.Testing.Emulator.Runtime.Network;

/// <summary>
/// A UDP DNS server for the pods of one network: it listens on the bridge address and answers from a table the
/// caller replaces as services come and go (<see cref="DnsWire"/>). It never forwards a query anywhere. Queries are
/// answered one at a time; a test cluster's pods do not ask fast enough for that to matter.
/// </summary>
internal sealed class DnsServer : IDisposable
{
    private readonly Socket _socket;
    private readonly string _zone;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serving;
    private int _disposed;
    private IReadOnlyDictionary<string, IPAddress[]> _records = new Dictionary<string, IPAddress[]>(StringComparer.Ordinal);

    private DnsServer(Socket socket, string zone)
    {
        _socket = socket;
        _zone = zone;
        _serving = Task.Run(ServeAsync);
    }

    /// <summary>Gets the address and port the server answers on.</summary>
    public IPEndPoint EndPoint => (IPEndPoint)_socket.LocalEndPoint!;

    /// <summary>Starts a server on <paramref name="address"/>:<paramref name="port"/> (port 0: any free port) for <paramref name="zone"/>.</summary>
    public static DnsServer Start(IPAddress address, int port, string zone)
    {
        var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.Bind(new IPEndPoint(address, port));
            return new DnsServer(socket, zone);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Replaces the table: lowercase names (a trailing dot is dropped) to their addresses. Later queries see the new table.</summary>
    public void SetRecords(IReadOnlyDictionary<string, IPAddress[]> records)
    {
        var table = new Dictionary<string, IPAddress[]>(StringComparer.Ordinal);
        foreach (var (name, addresses) in records)
        {
            // Copied, so that the caller changing its dictionary or arrays later cannot change answers halfway.
            table[name.TrimEnd('.').ToLowerInvariant()] = [.. addresses];
        }

        Volatile.Write(ref _records, table);
    }

    /// <summary>Stops answering and closes the socket.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stop.Cancel();
        _socket.Dispose();
        try
        {
            _serving.Wait(TimeSpan.FromSeconds(10));
        }
        catch (AggregateException)
        {
            // The loop ends by cancellation or the closed socket; either is the expected way out.
        }

        _stop.Dispose();
    }

    private async Task ServeAsync()
    {
        var buffer = new byte[4096];
        EndPoint anyone = new IPEndPoint(_socket.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0);
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                var received = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, anyone, token);
                var reply = DnsWire.Reply(buffer.AsSpan(0, received.ReceivedBytes), Volatile.Read(ref _records), _zone);
                if (reply is not null)
                {
                    await _socket.SendToAsync(reply, SocketFlags.None, received.RemoteEndPoint, token);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                // One client's trouble (gone, unreachable): keep serving the others, without spinning if it repeats.
                await Task.Delay(TimeSpan.FromMilliseconds(10), CancellationToken.None);
            }
        }
    }
}
