using Chaos.Testing.Emulator.Api;
using Chaos.Testing.Emulator.Server;

namespace Chaos.Testing.Emulator;

/// <summary>
/// What the emulator's single user may do. Everything is allowed until a rule denies it; denied requests get a
/// real 403 <c>Status</c>, and <c>SelfSubjectAccessReview</c> answers accordingly.
/// </summary>
public sealed class ApiAuthorization
{
    /// <summary>The user name that appears in 403 messages.</summary>
    public const string UserName = "chaos-emulator-user";

    private readonly object _gate = new();
    private readonly List<Rule> _rules = [];

    internal ApiAuthorization()
    {
    }

    /// <summary>Denies a verb on a resource. Dispose the result to allow it again.</summary>
    /// <param name="verb">A Kubernetes verb (<c>get</c>, <c>list</c>, <c>watch</c>, <c>create</c>, <c>update</c>, <c>patch</c>, <c>delete</c>, <c>deletecollection</c>) or <c>*</c>.</param>
    /// <param name="resource">A resource such as <c>pods</c>, a subresource such as <c>pods/eviction</c>, or <c>*</c>.</param>
    /// <param name="namespace">The namespace, or <see langword="null"/> for all namespaces.</param>
    /// <returns>A handle that removes the rule when disposed.</returns>
    public IDisposable Deny(string verb, string resource, string? @namespace = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(verb);
        ArgumentException.ThrowIfNullOrEmpty(resource);
        var rule = new Rule(this, verb, resource, @namespace);
        lock (_gate)
        {
            _rules.Add(rule);
        }

        return rule;
    }

    /// <summary>Removes every deny rule.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _rules.Clear();
        }
    }

    internal bool IsAllowed(string verb, string resource, string? subresource, string? @namespace)
    {
        var full = subresource is null ? resource : $"{resource}/{subresource}";
        lock (_gate)
        {
            return !_rules.Any(r => (r.Verb == "*" || r.Verb == verb)
                                    && (r.Resource == "*" || r.Resource == full)
                                    && (r.Namespace is null || r.Namespace == @namespace));
        }
    }

    internal void Check(RequestInfo request)
    {
        if (request.Type is null || IsAllowed(request.Verb, request.Resource, request.Subresource, request.Namespace))
        {
            return;
        }

        var resource = request.Subresource is null ? request.Resource : $"{request.Resource}/{request.Subresource}";
        var subject = request.Name is null ? resource : $"{resource} \"{request.Name}\"";
        var scope = request.Namespace is null ? "at the cluster scope" : $"in the namespace \"{request.Namespace}\"";
        var details = new System.Text.Json.Nodes.JsonObject { ["kind"] = request.Resource };
        if (request.Name is not null)
        {
            details["name"] = request.Name;
        }

        throw new ApiException(
            403,
            "Forbidden",
            $"{subject} is forbidden: User \"{UserName}\" cannot {request.Verb} resource \"{resource}\" in API group \"{request.Type.Group}\" {scope}",
            details);
    }

    private sealed record Rule(ApiAuthorization Owner, string Verb, string Resource, string? Namespace) : IDisposable
    {
        public void Dispose()
        {
            lock (Owner._gate)
            {
                Owner._rules.Remove(this);
            }
        }
    }
}
