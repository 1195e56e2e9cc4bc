using k8s;
using k8s.Models;

namespace Chaos.Testing;

/// <summary>
/// Where the ledger key lives: the environment variable <see cref="Variable"/> (base64, for pipelines that hold the key
/// themselves), else the Secret <see cref="SafetyOptions.LedgerKeySecret"/>, made by the first run that needs it. The
/// janitor only reads it: a sweep never writes a key, and without one it acts on no entry.
/// </summary>
internal static class LedgerKeyStore
{
    /// <summary>The environment variable that holds the key (base64 of at least 32 bytes) instead of the Secret.</summary>
    public const string Variable = "CHAOS_TESTING_LEDGER_KEY";

    /// <summary>The Secret's data key.</summary>
    public const string DataKey = "key";

    /// <summary>The key for a run: read, or made (namespace and Secret) when the cluster has none yet.</summary>
    public static async Task<LedgerKey> GetOrCreateAsync(IKubernetes client, ApiCalls api, string secret, CancellationToken cancellationToken)
    {
        if (FromEnvironment() is { } configured)
        {
            return configured;
        }

        var (ns, name) = Split(secret);
        if (await ReadAsync(client, api, ns, name, cancellationToken) is { } existing)
        {
            return existing;
        }

        var made = new V1Secret
        {
            Metadata = new V1ObjectMeta
            {
                Name = name,
                NamespaceProperty = ns,
                Labels = new Dictionary<string, string> { ["app.kubernetes.io/managed-by"] = "chaos-testing" },
            },
            Type = "Opaque",
            Data = new Dictionary<string, byte[]> { [DataKey] = LedgerKey.NewBytes() },
        };
        try
        {
            try
            {
                await api.CallAsync("create", "secrets", ns, ct => client.CoreV1.CreateNamespacedSecretAsync(made, ns, cancellationToken: ct), cancellationToken);
            }
            catch (Exception ex) when (ApiCalls.IsNotFound(ex))
            {
                // No namespace yet: make it (only then, so an identity without namespace rights works where it exists).
                await CreateNamespaceAsync(client, api, ns, cancellationToken);
                await api.CallAsync("create", "secrets", ns, ct => client.CoreV1.CreateNamespacedSecretAsync(made, ns, cancellationToken: ct), cancellationToken);
            }

            return new LedgerKey(made.Data[DataKey], $"Secret {ns}/{name}");
        }
        catch (Exception ex) when (ApiCalls.IsConflict(ex))
        {
            // Another run made it first: use theirs.
            return await ReadAsync(client, api, ns, name, cancellationToken)
                ?? throw new InvalidOperationException($"Secret {ns}/{name} was made by another run and is gone again; run the experiment again.", ex);
        }
    }

    /// <summary>The key for a sweep, read only; null with the reason when there is none or it cannot be read.</summary>
    public static async Task<(LedgerKey? Key, string? Problem)> TryReadAsync(IKubernetes client, ApiCalls api, string secret, CancellationToken cancellationToken)
    {
        try
        {
            if (FromEnvironment() is { } configured)
            {
                return (configured, null);
            }

            var (ns, name) = Split(secret);
            return await ReadAsync(client, api, ns, name, cancellationToken) is { } key
                ? (key, null)
                : (null, $"the ledger key (Secret {ns}/{name}) does not exist, so no entry can be verified: no run with a ledger ever ran against this cluster with this setting, or the Secret was deleted");
        }
        catch (Exception ex) when (ex is ChaosRefusedException or InvalidDataException or k8s.Autorest.HttpOperationException)
        {
            return (null, $"the ledger key could not be read: {ex.Message}");
        }
    }

    /// <summary>Splits and checks <c>namespace/name</c> (see <see cref="SafetyOptions.LedgerKeySecret"/>).</summary>
    public static (string Namespace, string Name) Split(string secret) => SafetyOptions.SplitLedgerKeySecret(secret);

    private static LedgerKey? FromEnvironment()
    {
        var value = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        try
        {
            return new LedgerKey(Convert.FromBase64String(value.Trim()), $"the environment variable {Variable}");
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            throw new ChaosConfigurationException([
                $"{Variable}: must be the base64 of at least {LedgerKey.MinimumBytes} random bytes (e.g. the output of `head -c 32 /dev/urandom | base64`); "
                + $"it is not ({ex.Message.TrimEnd('.')}). Fix it, or unset it to keep the key in a Secret."]);
        }
    }

    private static async Task<LedgerKey?> ReadAsync(IKubernetes client, ApiCalls api, string ns, string name, CancellationToken cancellationToken)
    {
        V1Secret found;
        try
        {
            found = await api.CallAsync("get", "secrets", ns, ct => client.CoreV1.ReadNamespacedSecretAsync(name, ns, cancellationToken: ct), cancellationToken);
        }
        catch (Exception ex) when (ApiCalls.IsNotFound(ex))
        {
            return null;
        }

        // The Secret is input like anything read from a cluster: check it before it is used.
        if (found.Data?.TryGetValue(DataKey, out var bytes) != true || bytes is null || bytes.Length < LedgerKey.MinimumBytes)
        {
            throw new InvalidDataException(
                $"Secret {ns}/{name}: data.{DataKey} must hold at least {LedgerKey.MinimumBytes} random bytes, it holds "
                + $"{(found.Data?.TryGetValue(DataKey, out var b) == true && b is not null ? $"{b.Length} byte(s)" : "nothing")}. "
                + $"Fix: delete the Secret (the next run makes a new one; entries sealed with the old key are then reported, not acted on), or set {Variable}.");
        }

        return new LedgerKey(bytes, $"Secret {ns}/{name}");
    }

    internal static async Task CreateNamespaceAsync(IKubernetes client, ApiCalls api, string ns, CancellationToken cancellationToken)
    {
        var made = new V1Namespace
        {
            Metadata = new V1ObjectMeta
            {
                Name = ns,
                Labels = new Dictionary<string, string> { ["app.kubernetes.io/managed-by"] = "chaos-testing", [SafetyOptions.ExclusionLabel] = "true" },
            },
        };
        try
        {
            await api.CallAsync("create", "namespaces", null, ct => client.CoreV1.CreateNamespaceAsync(made, cancellationToken: ct), cancellationToken);
        }
        catch (Exception ex) when (ApiCalls.IsConflict(ex))
        {
            // It exists (made by a person or another run): fine.
        }
    }
}
