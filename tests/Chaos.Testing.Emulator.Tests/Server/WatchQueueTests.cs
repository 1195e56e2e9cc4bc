using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Api;
using Chaos.Testing.Emulator.Storage;
using Chaos.Testing.Emulator.Tests.Support;
using k8s;
using k8s.Models;
using Xunit.Abstractions;
using static Chaos.Testing.Emulator.Tests.Support.Manifests;

namespace Chaos.Testing.Emulator.Tests.Server;

/// <summary>
/// Watch queues are bounded: a watcher that stops reading is closed once its queue is full (the real server closes an
/// unresponsive watcher), and nothing else notices: other watchers and writes go on.
/// </summary>
public sealed class WatchQueueTests(ITestOutputHelper output)
{
    [Fact]
    public void Subscribe_ReaderStalls_ClosedAtTheLimitWhileAReadingSubscriberGetsEverything()
    {
        // Arrange
        var store = new ResourceStore(TimeProvider.System, historySize: 100, seed: 0) { WatchQueueLimit = 5 };
        using var stalled = store.Subscribe(ResourceTypes.ConfigMaps, null);
        using var reading = store.Subscribe(ResourceTypes.ConfigMaps, null);
        var received = 0;

        // Act
        for (var i = 0; i < 20; i++)
        {
            store.Create(ResourceTypes.ConfigMaps, ConfigMapJson($"settings-{i}"));
            while (reading.Reader.TryRead(out _))
            {
                received++;
            }
        }

        // Assert
        stalled.ClosedAsTooSlow.Should().BeTrue();
        var queued = 0;
        while (stalled.Reader.TryRead(out _))
        {
            queued++;
        }

        queued.Should().Be(5, "the stalled subscriber keeps at most the limit, then nothing more");
        stalled.Reader.Completion.IsCompleted.Should().BeTrue("its feed has ended");
        store.SlowWatchersClosed.Should().Be(1);
        reading.ClosedAsTooSlow.Should().BeFalse();
        received.Should().Be(20);
        store.List(ResourceTypes.ConfigMaps, "shop").Items.Should().HaveCount(20, "writes never wait for a watcher");
    }

    [Fact]
    public void Subscribe_InitialObjectsMoreThanTheLimit_StartsAndStaysOpen()
    {
        // Arrange
        var store = new ResourceStore(TimeProvider.System, historySize: 100, seed: 0) { WatchQueueLimit = 5 };
        for (var i = 0; i < 20; i++)
        {
            store.Create(ResourceTypes.ConfigMaps, ConfigMapJson($"settings-{i}"));
        }

        // Act
        using var watch = store.Subscribe(ResourceTypes.ConfigMaps, null);
        store.Create(ResourceTypes.ConfigMaps, ConfigMapJson("one-more"));

        // Assert
        watch.ClosedAsTooSlow.Should().BeFalse("the current objects a watch starts with do not count against the limit");
    }

    [Fact]
    public async Task Watch_ClientStopsReading_ItsConnectionIsClosedWhileOtherWatchersAndWritesGoOn()
    {
        // Arrange
        await using var cluster = await KubernetesEmulator.StartAsync(new KubernetesEmulatorOptions { WatchQueueLimit = 20, WatchHistorySize = 16 });
        await cluster.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = Meta("shop") });
        await using var healthy = WatchRecorder.Start<V1ConfigMap>((onError, ct) =>
            cluster.Client.CoreV1.WatchListNamespacedConfigMapAsync("shop", labelSelector: "app=marker", onError: onError, cancellationToken: ct));
        using var stalled = await OpenStalledWatchAsync(cluster.BaseAddress);
        var big = ConfigMap("big", data: new Dictionary<string, string> { ["blob"] = new string('x', 256 * 1024) });
        await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(big, "shop");

        // Act: large changes fill the socket buffers, then the stalled watcher's queue.
        var writes = 0;
        while (cluster.Store.SlowWatchersClosed == 0 && writes < 400)
        {
            big.Data["blob"] = (char)('a' + (writes % 26)) + big.Data["blob"][1..];
            big.Metadata.ResourceVersion = null;
            await cluster.Client.CoreV1.ReplaceNamespacedConfigMapAsync(big, "big", "shop");
            writes++;
        }

        output.WriteLine($"the stalled watcher was closed after {writes} writes of 256 KiB");
        await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("marker", Labels(("app", "marker"))), "shop");

        // Assert
        cluster.Store.SlowWatchersClosed.Should().Be(1, "the watcher that stopped reading is closed (after {0} writes)", writes);
        await healthy.WaitForAsync((type, cm) => type == WatchEventType.Added && cm.Metadata.Name == "marker", "the reading watcher's next event");
        healthy.Errors.Should().BeEmpty();
        healthy.Closed.Should().BeFalse();
        (await ReadsToTheEndAsync(stalled.GetStream())).Should().BeTrue("the stalled watcher's connection is closed by the server");
    }

    private static JsonObject ConfigMapJson(string name) => new()
    {
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "shop" },
        ["data"] = new JsonObject { ["k"] = "v" },
    };

    /// <summary>A watch over a raw socket with a small receive buffer, whose response headers are read and then nothing more.</summary>
    private static async Task<TcpClient> OpenStalledWatchAsync(Uri server)
    {
        var client = new TcpClient { ReceiveBufferSize = 4096 };
        await client.ConnectAsync(server.Host, server.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"GET /api/v1/namespaces/shop/configmaps?watch=true HTTP/1.1\r\nHost: {server.Host}:{server.Port}\r\nAccept: application/json\r\n\r\n"));
        var headers = new StringBuilder();
        var buffer = new byte[1];
        while (!headers.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await stream.ReadAsync(buffer) == 0)
            {
                throw new InvalidOperationException($"the watch ended before its headers: {headers}");
            }

            headers.Append((char)buffer[0]);
        }

        headers.ToString().Should().StartWith("HTTP/1.1 200");
        return client;
    }

    private static async Task<bool> ReadsToTheEndAsync(NetworkStream stream)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var buffer = new byte[64 * 1024];
        try
        {
            while (await stream.ReadAsync(buffer, deadline.Token) > 0)
            {
            }

            return true;
        }
        catch (IOException)
        {
            return true; // reset by the server
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
