using System.Diagnostics;
using k8s;
using Xunit.Sdk;

namespace Chaos.Testing.Emulator.Tests.Support;

/// <summary>
/// Waits for a condition the emulator's controllers reach asynchronously: polls with a deadline (never sleeps a
/// fixed time) and fails with a message that says what was awaited and what was last seen.
/// </summary>
public static class Eventually
{
    /// <summary>The default deadline: generous, because the emulator's default delays are tens of milliseconds.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(10);

    /// <summary>Polls <paramref name="probe"/> until <paramref name="accept"/> holds, and returns the accepted value.</summary>
    /// <param name="probe">Reads the current state (usually through the client).</param>
    /// <param name="accept">The condition on the state.</param>
    /// <param name="description">What is awaited, for the failure message ("the deployment has 3 available replicas").</param>
    /// <param name="timeout">The deadline, or <see langword="null"/> for <see cref="DefaultTimeout"/>.</param>
    /// <param name="describe">Renders the last value for the failure message; JSON by default.</param>
    /// <typeparam name="T">The type of the state.</typeparam>
    /// <returns>The first value that was accepted.</returns>
    public static async Task<T> MatchAsync<T>(
        Func<Task<T>> probe,
        Func<T, bool> accept,
        string description,
        TimeSpan? timeout = null,
        Func<T, string>? describe = null)
    {
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(accept);
        var limit = timeout ?? DefaultTimeout;
        var started = Stopwatch.GetTimestamp();
        var attempts = 0;
        T? last = default;
        var seen = false;
        Exception? lastError = null;
        while (true)
        {
            attempts++;
            try
            {
                last = await probe();
                seen = true;
                lastError = null;
                if (accept(last))
                {
                    return last;
                }
            }
            catch (Exception ex) when (ex is not XunitException)
            {
                lastError = ex;
            }

            if (Stopwatch.GetElapsedTime(started) >= limit)
            {
                var observed = !seen ? "nothing (every probe threw)" : (describe ?? Render)(last!);
                var error = lastError is null ? string.Empty : $"{Environment.NewLine}The last probe threw: {lastError.GetType().Name}: {lastError.Message}";
                throw new XunitException(
                    $"Timed out after {limit.TotalSeconds:0.##} s ({attempts} attempts) waiting until {description}.{Environment.NewLine}Last observed: {observed}{error}");
            }

            await Task.Delay(PollInterval);
        }
    }

    /// <summary>Polls <paramref name="condition"/> until it is true.</summary>
    /// <param name="condition">The asynchronous condition.</param>
    /// <param name="description">What is awaited, for the failure message.</param>
    /// <param name="timeout">The deadline, or <see langword="null"/> for <see cref="DefaultTimeout"/>.</param>
    /// <returns>A task that completes when the condition held once.</returns>
    public static Task UntilAsync(Func<Task<bool>> condition, string description, TimeSpan? timeout = null) =>
        MatchAsync(condition, ok => ok, description, timeout, ok => ok ? "true" : "false");

    /// <summary>Polls the synchronous <paramref name="condition"/> until it is true.</summary>
    /// <param name="condition">The condition.</param>
    /// <param name="description">What is awaited, for the failure message.</param>
    /// <param name="timeout">The deadline, or <see langword="null"/> for <see cref="DefaultTimeout"/>.</param>
    /// <returns>A task that completes when the condition held once.</returns>
    public static Task UntilAsync(Func<bool> condition, string description, TimeSpan? timeout = null) =>
        UntilAsync(() => Task.FromResult(condition()), description, timeout);

    /// <summary>Polls a read until the server answers 404 (the object is gone).</summary>
    /// <param name="read">Reads the object; must throw <see cref="k8s.Autorest.HttpOperationException"/> with 404 once it is gone.</param>
    /// <param name="description">What should disappear, for the failure message.</param>
    /// <param name="timeout">The deadline, or <see langword="null"/> for <see cref="DefaultTimeout"/>.</param>
    /// <returns>A task that completes when the read answered 404.</returns>
    public static Task GoneAsync(Func<Task> read, string description, TimeSpan? timeout = null) =>
        UntilAsync(
            async () =>
            {
                try
                {
                    await read();
                    return false;
                }
                catch (k8s.Autorest.HttpOperationException ex) when (ex.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
                {
                    return true;
                }
            },
            $"{description} is gone (GET answers 404)",
            timeout);

    private static string Render<T>(T value)
    {
        string text;
        try
        {
            text = value is null ? "null" : KubernetesJson.Serialize(value);
        }
        catch (NotSupportedException)
        {
            text = value?.ToString() ?? "null";
        }

        const int Max = 4000;
        return text.Length <= Max ? text : text[..Max] + "...";
    }
}
