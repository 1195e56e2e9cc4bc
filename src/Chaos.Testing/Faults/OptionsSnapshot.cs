using System.Collections.ObjectModel;
using System.Reflection;

namespace Chaos.Testing;

/// <summary>
/// Options are configured by the user's delegate and then copied, collections included, when the DSL method is called:
/// the fault keeps the only reference to its copy, so changing the options object afterwards (a delegate may capture it)
/// cannot change an experiment already built.
/// </summary>
internal static class OptionsSnapshot
{
    private static readonly MethodInfo CloneMethod = typeof(object).GetMethod(nameof(MemberwiseClone), BindingFlags.Instance | BindingFlags.NonPublic)!;

    /// <summary>New default options, changed by <paramref name="configure"/>, then copied.</summary>
    public static T Take<T>(Action<T>? configure)
        where T : class, new()
    {
        var options = new T();
        configure?.Invoke(options);
        return Copy(options);
    }

    /// <summary>A copy of <paramref name="options"/> that shares no collection with it.</summary>
    public static T Copy<T>(T options)
        where T : class
    {
        var copy = (T)CloneMethod.Invoke(options, null)!;
        for (var type = options.GetType(); type is not null && type != typeof(object); type = type.BaseType)
        {
            foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                if (field.FieldType.IsGenericType && field.FieldType.GetGenericTypeDefinition() == typeof(Collection<>) && field.GetValue(copy) is { } items)
                {
                    var list = Activator.CreateInstance(typeof(List<>).MakeGenericType(field.FieldType.GetGenericArguments()), items);
                    field.SetValue(copy, Activator.CreateInstance(field.FieldType, list));
                }
            }
        }

        return copy;
    }
}
