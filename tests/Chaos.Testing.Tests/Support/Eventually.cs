namespace Chaos.Testing.Tests.Support;

/// <summary>Polls the cluster until something shows up (tests observe a fault while it holds).</summary>
public static class Eventually
{
    public static async Task<T> SingleAsync<T>(Func<Task<IList<T>>> read, TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var items = await read();
            if (items.Count == 1)
            {
                return items[0];
            }

            if (items.Count > 1)
            {
                throw new InvalidOperationException($"expected one, found {items.Count}");
            }

            await Task.Delay(5, deadline.Token);
        }
    }

    public static async Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        try
        {
            while (!await condition())
            {
                await Task.Delay(5, deadline.Token);
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            throw new TimeoutException($"timed out waiting for {what}");
        }
    }
}
