namespace Chaos.Testing.Xunit.V3.Tests;

/// <summary>Tests that change process environment variables run here: alone, after every parallel collection.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialEnvironment
{
    public const string Name = "Environment variables";
}

/// <summary>Sets environment variables for one test, serialized, and restores the previous values on dispose.</summary>
public sealed class EnvironmentVariables : IDisposable
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private readonly Dictionary<string, string?> _previous = [];

    private EnvironmentVariables()
    {
    }

    public static EnvironmentVariables Set(params (string Name, string? Value)[] variables)
    {
        Gate.Wait();
        var scope = new EnvironmentVariables();
        foreach (var (name, value) in variables)
        {
            scope._previous[name] = Environment.GetEnvironmentVariable(name);
            Environment.SetEnvironmentVariable(name, value);
        }

        return scope;
    }

    public void Dispose()
    {
        foreach (var (name, value) in _previous)
        {
            Environment.SetEnvironmentVariable(name, value);
        }

        Gate.Release();
    }
}
