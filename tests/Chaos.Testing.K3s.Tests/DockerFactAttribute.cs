namespace Chaos.Testing.K3s.Tests;

/// <summary>A fact that needs a Docker engine: skipped with the <see cref="DockerProbe"/> reason ("Docker is not reachable: ...") when there is none.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class DockerFactAttribute : FactAttribute
{
    public DockerFactAttribute()
    {
        if (DockerProbe.WhyUnreachable() is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>
/// A <see cref="DockerFactAttribute"/> that may also skip itself at run time with <c>Skip.If(condition, reason)</c>,
/// for what only the started cluster can tell (for example a host kernel without sch_netem).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class DockerSkippableFactAttribute : SkippableFactAttribute
{
    public DockerSkippableFactAttribute()
    {
        if (DockerProbe.WhyUnreachable() is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>A fact about behaviour without Docker: skipped where Docker answers (the no-Docker path cannot be observed there).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class NoDockerFactAttribute : FactAttribute
{
    public NoDockerFactAttribute()
    {
        if (DockerProbe.WhyUnreachable() is null)
        {
            Skip = "Docker is reachable here: this test checks the behaviour without Docker";
        }
    }
}
