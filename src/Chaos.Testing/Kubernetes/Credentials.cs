using System.Text.RegularExpressions;
using k8s.Autorest;

namespace Chaos.Testing;

/// <summary>
/// Keeps credentials out of what the library hands back: the client's <see cref="HttpOperationException"/> carries the
/// request it sent, headers (the bearer token) and body included; every such exception that leaves the library carries
/// the method and address only.
/// </summary>
internal static partial class Credentials
{
    /// <summary>Replaces the request of every <see cref="HttpOperationException"/> in <paramref name="exception"/>'s chain with its method and address.</summary>
    /// <returns>The same exception, for <c>throw</c> expressions.</returns>
    public static T Scrub<T>(T exception)
        where T : Exception
    {
        var seen = new HashSet<Exception>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<Exception>([exception]);
        while (pending.TryPop(out var current))
        {
            if (!seen.Add(current))
            {
                continue;
            }

            if (current is HttpOperationException { Request: { } request } http)
            {
                using var bare = new HttpRequestMessage(request.Method, request.RequestUri);
                http.Request = new HttpRequestMessageWrapper(bare, null);
            }

            if (current is AggregateException aggregate)
            {
                aggregate.InnerExceptions.ToList().ForEach(pending.Push);
            }
            else if (current.InnerException is { } inner)
            {
                pending.Push(inner);
            }
        }

        return exception;
    }

    /// <summary>
    /// <paramref name="url"/> as it may be shown (probe names, reports, logs): user info and the values of query
    /// parameters that name a secret (token, key, secret, password, signature, auth) replaced by <c>***</c>.
    /// </summary>
    public static string RedactUrl(string url)
    {
        var redacted = UserInfo().Replace(url, "$1***@");
        return SecretParameter().Replace(redacted, "$1***");
    }

    [GeneratedRegex(@"^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#@]*@")]
    private static partial Regex UserInfo();

    [GeneratedRegex(@"([?&][^=&#]*(?:token|key|secret|password|passwd|pwd|sig|signature|auth)[^=&#]*=)[^&#]*", RegexOptions.IgnoreCase)]
    private static partial Regex SecretParameter();
}
