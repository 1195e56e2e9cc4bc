using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Api;
using Chaos.Testing.Emulator.Controllers;
using Chaos.Testing.Emulator.Storage;
using Microsoft.Extensions.Time.Testing;

namespace Chaos.Testing.Emulator.Tests.Controllers;

/// <summary>
/// The manager's loop: controllers run in order, one that throws does not stop the others, and a delay wakes the loop
/// at its deadline however the clock moves.
/// </summary>
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

    [Fact]
    public async Task Delay_ClockMovesDuringThePassThatArmsIt_TheLoopWakesAtTheDeadlineNotLater()
    {
        // Arrange: a test's fake clock can move while a pass runs (the test saw the pass's first write and advanced).
        // Here the controller moves it itself, after asking for a 5 s delay and before the pass arms its wake-up.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 5, 10, 0, 0, TimeSpan.Zero));
        var store = new ResourceStore(time, historySize: 100, seed: 0);
        var timers = new ControllerTimers();
        var waiting = new DelayController(timers, time, TimeSpan.FromSeconds(5), advanceDuringFirstPass: TimeSpan.FromSeconds(4.9));
        await using var manager = new ControllerManager(store, time, timers, [waiting]);
        manager.Start();
        await WaitUntilAsync(() => waiting.Passes >= 1);

        // Act: the last tenth of a second reaches the deadline, which was set from the pass's start.
        time.Advance(TimeSpan.FromSeconds(0.1));

        // Assert: without moving the clock further, the loop runs and finds the delay due.
        await WaitUntilAsync(() => waiting.Due);
        manager.LastError.Should().BeNull();
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

    private sealed class DelayController(ControllerTimers timers, FakeTimeProvider time, TimeSpan delay, TimeSpan advanceDuringFirstPass) : IController
    {
        private int _passes;
        private volatile bool _due;

        public int Passes => Volatile.Read(ref _passes);

        public bool Due => _due;

        public string Name => "delay";

        public void Reconcile(DateTimeOffset now)
        {
            _due |= timers.IsDue("delay:x", delay, now);
            if (Interlocked.Increment(ref _passes) == 1)
            {
                time.Advance(advanceDuringFirstPass);
            }
        }
    }
}
