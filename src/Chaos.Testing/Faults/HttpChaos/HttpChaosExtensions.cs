namespace Chaos.Testing;

/// <summary>The <c>HttpChaos()</c> fault of the DSL.</summary>
public static class HttpChaosExtensions
{
    /// <summary>
    /// Delays and/or aborts (with a status code) a share of the HTTP requests reaching <paramref name="port"/> of the
    /// selected pods from outside: a proxy in an ephemeral container with NET_ADMIN and an iptables REDIRECT of that
    /// port, removed when the hold ends, on cancellation or failure.
    /// </summary>
    /// <param name="chaos">The selection stage.</param>
    /// <param name="port">The container port serving HTTP.</param>
    /// <param name="configure">Percent, delay, abort status, path prefix, method, seed, image, container.</param>
    /// <returns>The experiment; set its duration and steady state, then run it.</returns>
    public static ChaosExperiment HttpChaos(this PodChaos chaos, int port, Action<HttpChaosOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(chaos);
        return chaos.With(new HttpChaosFault(port, OptionsSnapshot.Take(configure)));
    }
}
