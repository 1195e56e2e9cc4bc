using k8s;
using k8s.Models;

namespace Chaos.Testing.Emulator.Tests.Support;

/// <summary>
/// Records the events of a watch opened through the real client, in the background, so a test can change the
/// cluster and then wait (with a deadline) for the events it expects.
/// </summary>
/// <typeparam name="T">The watched object type.</typeparam>
public sealed class WatchRecorder<T> : IAsyncDisposable
    where T : IKubernetesObject<V1ObjectMeta>
{
    private readonly object _gate = new();
    private readonly List<(WatchEventType Type, T Object)> _events = [];
    private readonly List<Exception> _errors = [];
    private readonly CancellationTokenSource _stop;
    private Task _pump = Task.CompletedTask;
    private bool _closed;

    internal WatchRecorder(CancellationTokenSource stop) => _stop = stop;

    /// <summary>Gets a snapshot of the events received so far.</summary>
    public IReadOnlyList<(WatchEventType Type, T Object)> Events
    {
        get
        {
            lock (_gate)
            {
                return _events.ToArray();
            }
        }
    }

    /// <summary>Gets a snapshot of the errors the client reported (ERROR events become <see cref="KubernetesException"/>).</summary>
    public IReadOnlyList<Exception> Errors
    {
        get
        {
            lock (_gate)
            {
                return _errors.ToArray();
            }
        }
    }

    /// <summary>Gets a value indicating whether the server ended the stream.</summary>
    public bool Closed
    {
        get
        {
            lock (_gate)
            {
                return _closed;
            }
        }
    }

    /// <summary>Waits until an event matching <paramref name="predicate"/> has arrived, and returns the first such event.</summary>
    /// <param name="predicate">The event wanted.</param>
    /// <param name="description">The event wanted, in words, for the failure message.</param>
    /// <param name="timeout">The deadline, or <see langword="null"/> for the default.</param>
    /// <returns>The event.</returns>
    public async Task<(WatchEventType Type, T Object)> WaitForAsync(Func<WatchEventType, T, bool> predicate, string description, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        var events = await Eventually.MatchAsync(
            () => Task.FromResult(Events),
            list => list.Any(e => predicate(e.Type, e.Object)),
            $"the watch receives {description}",
            timeout,
            Describe);
        return events.First(e => predicate(e.Type, e.Object));
    }

    /// <summary>Waits until the client reported an error.</summary>
    /// <param name="description">The error wanted, for the failure message.</param>
    /// <param name="timeout">The deadline, or <see langword="null"/> for the default.</param>
    /// <returns>The first error.</returns>
    public async Task<Exception> WaitForErrorAsync(string description, TimeSpan? timeout = null)
    {
        var errors = await Eventually.MatchAsync(
            () => Task.FromResult(Errors),
            list => list.Count > 0,
            $"the watch reports {description}",
            timeout,
            _ => Describe(Events) + (Closed ? " (stream closed)" : " (stream open)"));
        return errors[0];
    }

    /// <summary>Closes the watch.</summary>
    /// <returns>A task that completes when the background reader stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _pump.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    /// <summary>Renders events as <c>TYPE name@resourceVersion</c>, for failure messages.</summary>
    /// <param name="events">The events.</param>
    /// <returns>One line per event.</returns>
    internal static string Describe(IEnumerable<(WatchEventType Type, T Object)> events) =>
        "[" + string.Join(", ", events.Select(e => $"{e.Type} {e.Object.Metadata?.Name}@{e.Object.Metadata?.ResourceVersion}")) + "]";

    internal void OnError(Exception error)
    {
        lock (_gate)
        {
            _errors.Add(error);
        }
    }

    internal void Run(IAsyncEnumerable<(WatchEventType, T)> events) => _pump = Task.Run(() => PumpAsync(events));

    private async Task PumpAsync(IAsyncEnumerable<(WatchEventType, T)> events)
    {
        try
        {
            await foreach (var (type, obj) in events.WithCancellation(_stop.Token))
            {
                lock (_gate)
                {
                    _events.Add((type, obj));
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Disposed.
        }
        catch (Exception ex)
        {
            OnError(ex);
        }
        finally
        {
            lock (_gate)
            {
                _closed = true;
            }
        }
    }
}

/// <summary>Opens watches through the real client and records their events.</summary>
public static class WatchRecorder
{
    /// <summary>
    /// Records the events of an enumerable watch (e.g. <c>WatchListNamespacedPodAsync</c>) in the background. The
    /// client sends the request when enumeration starts and only yields once the first event arrives, so a test
    /// that needs the watch registered before it changes anything either resumes from a list's resourceVersion or
    /// waits for a first event (an existing object's initial ADDED).
    /// </summary>
    /// <param name="watch">Starts the watch with the recorder's cancellation token and its error callback.</param>
    /// <typeparam name="T">The watched object type.</typeparam>
    /// <returns>The recorder; dispose it to close the watch.</returns>
    public static WatchRecorder<T> Start<T>(Func<Action<Exception>, CancellationToken, IAsyncEnumerable<(WatchEventType, T)>> watch)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(watch);
        var stop = new CancellationTokenSource();
        var recorder = new WatchRecorder<T>(stop);
        recorder.Run(watch(recorder.OnError, stop.Token));
        return recorder;
    }
}
