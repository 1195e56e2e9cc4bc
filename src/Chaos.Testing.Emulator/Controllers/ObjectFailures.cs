using Chaos.Testing.Emulator.Storage;

namespace Chaos.Testing.Emulator.Controllers;

/// <summary>
/// One controller pass, object by object: an object whose step throws is recorded and the pass goes on with the next
/// one, so that one object the controller cannot handle never holds up the others (nor the timers they arm). At the end
/// of the pass <see cref="ThrowIfAny"/> reports them together, and the <see cref="ControllerManager"/> records that.
/// </summary>
internal sealed class ObjectFailures(string controller)
{
    private readonly List<string> _failures = [];
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private Exception? _first;

    /// <summary>One pass of <paramref name="controller"/> over <paramref name="objects"/>: each reconciled on its own, the failures thrown together at the end.</summary>
    public static void ForEach(string controller, IEnumerable<StoredObject> objects, Action<StoredObject> reconcile)
    {
        var failures = new ObjectFailures(controller);
        foreach (var obj in objects)
        {
            failures.Run(obj, () => reconcile(obj));
        }

        failures.ThrowIfAny();
    }

    /// <summary>Runs <paramref name="step"/> for <paramref name="obj"/>; a failure is recorded, not thrown.</summary>
    public void Run(StoredObject obj, Action step)
    {
        try
        {
            step();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Record(obj, ex);
        }
    }

    /// <summary>Records that <paramref name="obj"/> could not be handled.</summary>
    public void Record(StoredObject obj, Exception ex)
    {
        _first ??= ex;
        var failure = $"{obj.Type.Kind} {obj.Key}: {ex.GetType().Name}: {ex.Message}";
        if (_seen.Add(failure))
        {
            _failures.Add(failure);
        }
    }

    /// <summary>Throws one exception naming every object that failed during the pass, if any did.</summary>
    public void ThrowIfAny()
    {
        if (_failures.Count > 0)
        {
            var message = $"The {controller} controller could not handle {_failures.Count} object(s) and went on with the others: "
                + string.Join("; ", _failures);
            throw new ControllerObjectException(message, _first!);
        }
    }
}
