using System.Globalization;
using System.Text.Json.Nodes;
using Chaos.Testing.Emulator.Api;
using Chaos.Testing.Emulator.Storage;

namespace Chaos.Testing.Emulator.Recording;

/// <summary>
/// Records what the controllers do as core/v1 Events, as client-go's event recorder does: one Event per involved object,
/// reason, message and source; a repeat bumps its <c>count</c> and <c>lastTimestamp</c> instead of adding another.
/// Events about cluster-scoped objects (nodes) go to the <c>default</c> namespace.
/// </summary>
internal sealed class EventRecorder
{
    private readonly ResourceStore _store;
    private readonly TimeProvider _time;
    private readonly object _gate = new();
    private readonly Dictionary<string, (string Namespace, string Name)> _recorded = new(StringComparer.Ordinal);
    private long _sequence;

    public EventRecorder(ResourceStore store, TimeProvider time)
    {
        _store = store;
        _time = time;
    }

    /// <summary>A <c>Normal</c> event.</summary>
    public void Normal(StoredObject involved, string component, string reason, string message, string? host = null) =>
        Record(involved, component, "Normal", reason, message, host);

    /// <summary>A <c>Warning</c> event.</summary>
    public void Warning(StoredObject involved, string component, string reason, string message, string? host = null) =>
        Record(involved, component, "Warning", reason, message, host);

    private void Record(StoredObject involved, string component, string type, string reason, string message, string? host)
    {
        var ns = involved.Namespace ?? "default";
        if (_store.Get(ResourceTypes.Namespaces, null, ns) is not { Terminating: false })
        {
            return; // nothing is written into a namespace that is gone or going
        }

        var now = Timestamps.Format(_time.GetUtcNow());
        var key = string.Join('\u001f', involved.Uid, component, type, reason, message);
        lock (_gate)
        {
            if (_recorded.TryGetValue(key, out var existing)
                && _store.Mutate(ResourceTypes.Events, existing.Namespace, existing.Name, e =>
                {
                    e["count"] = (e["count"]?.ToInt64() ?? 1) + 1;
                    e["lastTimestamp"] = now;
                    return true;
                }) is not null)
            {
                return;
            }

            var name = $"{involved.Name}.{(_time.GetUtcNow().ToUnixTimeMilliseconds() * 1000 + (++_sequence % 1000)).ToString("x", CultureInfo.InvariantCulture)}";
            var source = new JsonObject { ["component"] = component };
            if (host is not null)
            {
                source["host"] = host;
            }

            var created = _store.Create(ResourceTypes.Events, new JsonObject
            {
                ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
                ["involvedObject"] = new JsonObject
                {
                    ["kind"] = involved.Type.Kind,
                    ["namespace"] = involved.Namespace,
                    ["name"] = involved.Name,
                    ["uid"] = involved.Uid,
                    ["apiVersion"] = involved.Type.ApiVersion,
                    ["resourceVersion"] = involved.ResourceVersion.ToString(CultureInfo.InvariantCulture),
                },
                ["reason"] = reason,
                ["message"] = message,
                ["source"] = source,
                ["firstTimestamp"] = now,
                ["lastTimestamp"] = now,
                ["count"] = 1,
                ["type"] = type,
                ["eventTime"] = null,
                ["reportingComponent"] = component,
                ["reportingInstance"] = host ?? string.Empty,
            });
            _recorded[key] = (ns, created.Name);
        }
    }
}
