using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Api;
using Chaos.Testing.Emulator.Controllers;
using Chaos.Testing.Emulator.Storage;

namespace Chaos.Testing.Emulator.Tests.Controllers;

/// <summary>The manager's loop: controllers run in order, and one that throws does not stop the others.</summary>
public sealed class ControllerManagerTests
{
    [Fact]
    public async Task Pass_ControllerThrows_LaterControllersStillRunAndTheFailureIsReported()
    {
        // Arrange
        var store = new ResourceStore(TimeProvider.System, historySize: 100, seed: 0);
        var failing = new RecordingController("failing", fail: true);
        var healthy = new RecordingController("healthy", fail: false);
        await using var manager = new ControllerManager(store, TimeProvider.System, new ControllerTimers(), [failing, healthy]);

        // Act: the first pass runs on start, the second on a store change.
        manager.Start();
        await WaitUntilAsync(() => healthy.Passes >= 1);
        store.Create(ResourceTypes.Namespaces, new JsonObject { ["metadata"] = new JsonObject { ["name"] = "next-pass" } });
        await WaitUntilAsync(() => healthy.Passes >= 2);

        // Assert
        failing.Passes.Should().BeGreaterThanOrEqualTo(2, "a controller that threw is run again on the next pass");
        manager.LastError.Should().BeOfType<InvalidOperationException>().Which.Message.Should().Be("failing broke");
        manager.LastFailedController.Should().Be("failing");
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            await Task.Delay(10, timeout.Token);
        }
    }

    private sealed class RecordingController(string name, bool fail) : IController
    {
        private int _passes;

        public int Passes => Volatile.Read(ref _passes);

        public string Name => name;

        public void Reconcile(DateTimeOffset now)
        {
            Interlocked.Increment(ref _passes);
            if (fail)
            {
                throw new InvalidOperationException($"{name} broke");
            }
        }
    }
}
