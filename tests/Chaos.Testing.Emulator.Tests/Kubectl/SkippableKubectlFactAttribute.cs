namespace Chaos.Testing.Emulator.Tests.Kubectl;

/// <summary>A fact that is skipped, with the reason, when kubectl is not on the PATH.</summary>
public sealed class SkippableKubectlFactAttribute : FactAttribute
{
    public SkippableKubectlFactAttribute()
    {
        if (!IsOnPath("kubectl"))
        {
            Skip = "kubectl is not on the PATH: install kubectl 1.27-1.33 to run the kubectl compatibility tests";
        }
    }

    private static bool IsOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
        .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
        .Any(dir => File.Exists(Path.Combine(dir, program)));
}
