using System.CommandLine;
using k8s;
using k8s.Models;

namespace Chaos.Testing.Cli.Commands;

/// <summary>
/// <c>chaos check [files|dirs]</c>: pre-flight on the cluster: it answers, its version, whether it serves ephemeral
/// containers, the Pod Security level of each target namespace, and every permission the experiments need (each asked
/// with a SelfSubjectAccessReview). Exit 0 when nothing fails, 3 when something would stop a run, 4 when the cluster cannot be reached.
/// </summary>
internal static class CheckCommand
{
    private const string PodSecurityEnforce = "pod-security.kubernetes.io/enforce";

    public static Command Create(string workingDirectory)
    {
        var paths = new Argument<string[]>("paths") { Description = "Manifest files or directories whose permissions and namespaces to check (optional).", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("check", "Pre-flight on the cluster: connectivity, server version, ephemeral containers, Pod Security of target namespaces, and each permission the experiments need (SelfSubjectAccessReview).") { paths };
        command.SetAction(CliContext.Action(workingDirectory, async (context, cancellationToken) =>
        {
            var given = context.Parse.GetValue(paths) ?? [];
            var set = given.Length == 0 ? null : ValidateCommand.Load(context, given);
            if (set is { IsValid: false })
            {
                ValidateCommand.Print(context.Out, set);
                return ExitCodes.Invalid;
            }

            await using var session = await context.ConnectAsync(null, [], cancellationToken);
            var checks = await RunChecksAsync(session.Client, set?.Manifests ?? [], context.Config, cancellationToken);
            var failed = checks.Count(c => c.Status == "fail");
            context.Out.WriteJson(new { cluster = session.Description, ok = failed == 0, checks });
            context.Out.Table(["CHECK", "STATUS", "DETAIL"], checks.Select(c => new[] { c.Check, c.Status, c.Detail }));
            context.Out.Line(failed == 0 ? "All checks passed." : $"{failed} check(s) failed: a run would be refused or fail.");
            return failed == 0 ? ExitCodes.Held : ExitCodes.Refused;
        }));
        return command;
    }

    /// <summary>Every check, in order; a cluster that does not answer throws (the caller exits with <see cref="ExitCodes.Error"/>).</summary>
    public static async Task<List<CheckResult>> RunChecksAsync(IKubernetes client, IReadOnlyList<ChaosManifest> manifests, CliConfig config, CancellationToken cancellationToken)
    {
        var checks = new List<CheckResult>();
        var version = await client.Version.GetCodeAsync(cancellationToken);
        checks.Add(new("connectivity", "pass", "the API server answers"));
        checks.Add(new("server version", "pass", $"{version.GitVersion} ({version.Platform})"));

        var core = await client.CoreV1.GetAPIResourcesAsync(cancellationToken);
        var ephemeral = core.Resources.Any(r => r.Name == "pods/ephemeralcontainers");
        var payloads = manifests.Where(m => ManifestActions.FaultOf(m.Spec.Action)?.Mechanism == FaultMechanism.PodPayload).Select(m => m.Name).ToList();
        checks.Add(new("ephemeral containers", ephemeral ? "pass" : payloads.Count > 0 ? "fail" : "warn",
            ephemeral ? "pods/ephemeralcontainers is served (pod payload faults can run)"
                : $"pods/ephemeralcontainers is not served: pod payload faults cannot run{(payloads.Count > 0 ? $" ({string.Join(", ", payloads)})" : string.Empty)}"));

        foreach (var ns in manifests.Select(m => m.Spec.Namespace).Concat(config.Namespaces).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            checks.Add(await NamespaceCheckAsync(client, ns, manifests.Where(m => m.Spec.Namespace == ns).ToList(), cancellationToken));
        }

        var safety = new SafetyOptions();
        config.Apply(safety);
        foreach (var (access, users) in Permissions(manifests, safety))
        {
            checks.Add(await AccessCheckAsync(client, access, users, cancellationToken));
        }

        return checks;
    }

    /// <summary>
    /// Every permission the manifests need (<see cref="ChaosManifest.RequiredPermissions"/>), with the namespace it is needed
    /// in (null: cluster scope) and which experiments need it; the ledger's in the config's ledger key namespace.
    /// </summary>
    internal static IEnumerable<(ManifestAccess Access, string Users)> Permissions(IReadOnlyList<ChaosManifest> manifests, SafetyOptions safety)
    {
        var ledger = SafetyOptions.SplitLedgerKeySecret(safety.LedgerKeySecret).Namespace;
        return manifests
            .SelectMany(m => m.RequiredPermissions.Select(a => (Access: a.Resource is "secrets" or "leases" ? a with { Namespace = ledger } : a, m.Name)))
            .GroupBy(x => x.Access)
            .OrderBy(g => g.Key.Namespace ?? string.Empty, StringComparer.Ordinal).ThenBy(g => g.Key.ToString(), StringComparer.Ordinal)
            .Select(g => (g.Key, string.Join(", ", g.Select(x => x.Name).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))));
    }

    private static async Task<CheckResult> NamespaceCheckAsync(IKubernetes client, string ns, List<ChaosManifest> users, CancellationToken cancellationToken)
    {
        var name = $"namespace {ns}";
        V1Namespace found;
        try
        {
            found = await client.CoreV1.ReadNamespaceAsync(ns, cancellationToken: cancellationToken);
        }
        catch (k8s.Autorest.HttpOperationException ex) when (ex.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return new(name, "fail", "does not exist");
        }

        var level = found.Metadata.Labels?.TryGetValue(PodSecurityEnforce, out var value) == true ? value : null;
        var payloads = users.Where(m => ManifestActions.FaultOf(m.Spec.Action)?.Mechanism == FaultMechanism.PodPayload).Select(m => m.Name).ToList();
        return level switch
        {
            null or "privileged" => new(name, "pass", $"Pod Security enforce: {level ?? "not set (privileged)"}"),
            _ when payloads.Count == 0 => new(name, "pass", $"Pod Security enforce: {level} (no payload container runs here)"),
            _ => new(name, "warn", $"Pod Security enforce: {level}: payload containers that need capabilities (network faults need NET_ADMIN) are refused at this level; affected: {string.Join(", ", payloads)}"),
        };
    }

    private static async Task<CheckResult> AccessCheckAsync(IKubernetes client, ManifestAccess permission, string users, CancellationToken cancellationToken)
    {
        var review = new V1SelfSubjectAccessReview
        {
            Spec = new V1SelfSubjectAccessReviewSpec
            {
                ResourceAttributes = new V1ResourceAttributes
                {
                    Verb = permission.Verb,
                    Group = permission.Group,
                    Resource = permission.Resource,
                    Subresource = permission.Subresource,
                    NamespaceProperty = permission.Namespace,
                },
            },
        };
        var answer = await client.AuthorizationV1.CreateSelfSubjectAccessReviewAsync(review, cancellationToken: cancellationToken);
        var allowed = answer.Status?.Allowed == true;
        var reason = answer.Status?.Reason is { Length: > 0 } r ? $": {r}" : string.Empty;
        return new($"can {permission}", allowed ? "pass" : "fail", $"{(allowed ? "allowed" : "denied")}{reason} (needed by {users})");
    }
}

/// <summary>One pre-flight check: what, pass/warn/fail, and the detail.</summary>
internal sealed record CheckResult(string Check, string Status, string Detail);
