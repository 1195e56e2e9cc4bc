namespace Chaos.Testing.Tests.Engine;

/// <summary>
/// How the engine's API calls meet cancellation: a write already sent is seen through (a write cancelled on the wire
/// could land after recovery read the object and found nothing to undo); nothing new is sent once cancelled; reads stop at once.
/// </summary>
public sealed class ApiCallsTests
{
    [Fact]
    public async Task Write_CancelledWhileInFlight_IsSeenThrough_AndTheNextIsNotSent()
    {
        var api = new ApiCalls(TimeProvider.System);
        using var cancel = new CancellationTokenSource();
        var applied = 0;
        var write = api.CallAsync("update", "pods", "shop", async ct =>
        {
            await Task.Delay(300, ct);
            return Interlocked.Increment(ref applied);
        }, cancel.Token);

        await Task.Delay(30);
        await cancel.CancelAsync();

        (await write).Should().Be(1, "the write that was on the wire completes");
        var next = () => api.CallAsync("update", "pods", "shop", _ => Task.FromResult(Interlocked.Increment(ref applied)), cancel.Token);
        await next.Should().ThrowAsync<OperationCanceledException>();
        applied.Should().Be(1, "no write is sent after cancellation");
        api.RequestCount.Should().Be(1);
    }

    [Fact]
    public async Task Eviction_CancelledWhileInFlight_IsSeenThrough()
    {
        var api = new ApiCalls(TimeProvider.System);
        using var cancel = new CancellationTokenSource();
        var applied = false;
        var evict = api.SendOnceAsync("create", "pods/eviction", "shop", async ct =>
        {
            await Task.Delay(300, ct);
            applied = true;
        }, cancel.Token);

        await Task.Delay(30);
        await cancel.CancelAsync();
        await evict;

        applied.Should().BeTrue();
    }

    [Fact]
    public async Task Read_CancelledWhileInFlight_StopsAtOnce()
    {
        var api = new ApiCalls(TimeProvider.System);
        using var cancel = new CancellationTokenSource();
        var read = api.CallAsync("get", "pods", "shop", async ct =>
        {
            await Task.Delay(TimeSpan.FromSeconds(30), ct);
            return true;
        }, cancel.Token);

        await Task.Delay(30);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await cancel.CancelAsync();

        await ((Func<Task>)(() => read)).Should().ThrowAsync<OperationCanceledException>();
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5));
    }
}
